/**
 * The SET operations (start, destroy, suspend, resume, save, save-rm, rm, rm-wipe, rm-shred): resolve the SET
 * against the current template's clones, run the operation through the service, report what happened.
 */
import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { CancelledError, hintOf, Qq2Error } from '../../../core/errors';
import { operationAccepts, type SetOperationName } from '../../../core/operations';
import { parseSetOrThrow, resolveSet } from '../../../core/set';

const DONE: Record<SetOperationName, string> = {
  start: 'Started',
  destroy: 'Destroyed',
  suspend: 'Suspended',
  resume: 'Resumed',
  save: 'Saved',
  'save-rm': 'Removed the saved state of',
  rm: 'Removed',
  'rm-wipe': 'Wiped and removed',
  'rm-shred': 'Shredded and removed',
};

export function setOperationCommand(operation: SetOperationName, summary: string): CliCommand {
  return {
    name: operation,
    usage: 'SET',
    summary,
    async run(ctx, args) {
      expectArgs(operation, 'SET', args, 1);
      // A malformed set is a bad argument (12) whatever the template: read it before asking for the template.
      const set = parseSetOrThrow(args[0]!);
      const { clones } = await ctx.templateClones();
      const chosen = resolveSet(set, clones, { command: operation, accepts: (c) => operationAccepts(operation, c.state) });
      const refs = chosen.map(({ template, id, uuid, name }) => ({ template, id, uuid, name }));
      const r = await ctx.service().run(operation, refs, { signal: ctx.signal });
      for (const c of r.done) ctx.out.info(`${DONE[operation]} ${c.id} (${c.name}).`);
      for (const s of r.skipped) ctx.out.info(`Skipped ${s.clone.id} (${s.clone.name}): ${s.reason}`);
      for (const f of r.failed) ctx.out.error(`${operation} ${f.clone.id} (${f.clone.name}): ${f.error.message}`);
      // What to do about the failures (e.g. "start the libvirt daemon"), once per distinct hint.
      for (const h of new Set(r.failed.map((f) => hintOf(f.error)))) if (h) ctx.out.error(h);
      if (r.cancelled.length) throw new CancelledError(`Cancelled; not done: ${r.cancelled.map((c) => c.id).join(',')}.`);
      const first = r.failed[0];
      if (first) {
        throw new Qq2Error(`${operation} failed for ${r.failed.length} of ${refs.length} machines.`, first.error.exitCode);
      }
    },
  };
}
