/**
 * qq2clone policy SET [keep|reset|remove [--on REASON,...]]: sets what happens to the clones in SET when they power
 * off (kept in each clone's own bookkeeping); without a policy, prints each clone's policy, its state and reason,
 * and the last thing a policy did to it (from the action logs).
 */
import type { CliCommand } from '../shared';
import { parsePolicyArgs } from './policyArgs';
import { asQq2Error, Qq2Error, UsageError } from '../../../core/errors';
import { parseSetOrThrow, resolveSet } from '../../../core/set';
import { describePolicy, hookLog, hookPaths, latestByClone, readPolicyLogs, setClonePolicy, userPolicyLog } from '../../../libvirt/policy';

const USAGE = 'SET [keep|reset|remove [--on REASON,...]]';

export const policyCliCommand: CliCommand = {
  name: 'policy',
  usage: USAGE,
  summary:
    'Set what happens when the clones in SET power off: keep (default), reset (made afresh from the template) or remove (as rm), on the given shutoff reasons (default shutdown,destroyed); without a policy, show them.',
  speaksUnderQuieter: (args) => args.length === 1,
  async run(ctx, args) {
    if (args.length < 1 || args.length > 4) throw new UsageError(`policy takes ${USAGE}; got ${args.length} arguments.`);
    const set = parseSetOrThrow(args[0]!);
    const policy = args.length > 1 ? parsePolicyArgs('policy SET', args.slice(1)) : undefined;
    const { clones } = await ctx.templateClones();
    const chosen = resolveSet(set, clones, { command: 'policy', accepts: () => true });
    const svc = ctx.service();
    if (!policy) {
      const last = latestByClone(await readPolicyLogs([hookLog(hookPaths(ctx.io.env)), userPolicyLog(ctx.home)]));
      const rows = chosen.map((c) => {
        const l = last.get(c.uuid);
        const did = l ? `; last: ${l.action} after ${l.reason} at ${l.time}${l.detail && l.action !== 'reset' ? ` (${l.detail})` : ''}` : '';
        return `${c.id}  ${c.name}  ${describePolicy(c.policy)}  (${c.state}${c.reason && c.reason !== 'unknown' ? ` - ${c.reason}` : ''})${did}`;
      });
      ctx.out.result(rows.join('\n'));
      return;
    }
    const failed: { id: number; error: Qq2Error }[] = [];
    for (const c of chosen) {
      try {
        await svc.withCloneLock(c.uuid, () => setClonePolicy(svc, c.uuid, policy, ctx.signal));
        ctx.out.info(`${c.id} (${c.name}): ${describePolicy(policy)}.`);
      } catch (e) {
        const error = asQq2Error(e);
        failed.push({ id: c.id, error });
        ctx.out.error(`policy ${c.id} (${c.name}): ${error.message}`);
      }
    }
    const first = failed[0];
    if (first) throw new Qq2Error(`policy failed for ${failed.map((f) => f.id).join(',')} of ${chosen.length} machines.`, first.error.exitCode);
  },
};
