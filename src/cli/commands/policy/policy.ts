/**
 * qq2clone policy SET [keep|reset|remove [--on REASON,...]]: sets what happens to the clones in SET when they power
 * off (kept in each clone's own bookkeeping); without a policy, prints each clone's policy, its state and reason,
 * and the last thing a policy did to it (from the action logs).
 */
import type { CliCommand } from '../shared';
import type { CliContext } from '../../context';
import type { CloneRef } from '../../../libvirt/api';
import { parsePolicyArgs } from './policyArgs';
import { asQq2Error, Qq2Error, UsageError } from '../../../core/errors';
import { parseSetOrThrow } from '../../../core/set';
import { describePolicy, hookLog, hookPaths, latestByClone, readPolicyLogs, setClonePolicy, userPolicyLog } from '../../../libvirt/policy';

const USAGE = 'SET [keep|reset|remove|revert SNAPSHOT [--on REASON,...] [--drop-snapshots]]';

/** Deletes every snapshot of a clone (the user chose to drop them for reset); throws the first failure. */
async function dropSnapshots(ctx: CliContext, c: CloneRef): Promise<void> {
  for (const s of await ctx.service().snapshots(c.uuid, ctx.signal)) {
    const r = await ctx.service().snapshot({ kind: 'delete', name: s.name }, [c], { signal: ctx.signal });
    const f = r.failed[0]?.error ?? (r.done.length ? undefined : new UsageError(r.skipped[0]?.reason ?? 'cancelled'));
    if (f) throw f;
    ctx.out.info(`${c.id} (${c.name}): dropped snapshot ${s.name}.`);
  }
}

export const policyCliCommand: CliCommand = {
  name: 'policy',
  usage: USAGE,
  summary:
    'Set what happens when the clones in SET power off: keep (default), reset (made afresh from the template; --drop-snapshots deletes their snapshots first), remove (as rm) or revert SNAPSHOT, on the given shutoff reasons (default shutdown,destroyed); without a policy, show them.',
  speaksUnderQuieter: (args) => args.length === 1,
  async run(ctx, args) {
    const drop = args.includes('--drop-snapshots');
    const given = args.filter((a) => a !== '--drop-snapshots');
    if (given.length < 1 || given.length > 5) throw new UsageError(`policy takes ${USAGE}; got ${given.length} arguments.`);
    const set = parseSetOrThrow(given[0]!);
    const policy = given.length > 1 ? parsePolicyArgs('policy SET', given.slice(1)) : undefined;
    if (drop && policy?.action !== 'reset') throw new UsageError('--drop-snapshots goes with reset.');
    const chosen = await ctx.clonesInSet(set, { command: 'policy', accepts: () => true });
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
        if (drop) await dropSnapshots(ctx, c);
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
