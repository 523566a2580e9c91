/**
 * The SET operations (start, destroy, suspend, resume, save, save-rm, rm, rm-wipe, rm-shred): resolve the SET
 * against the current template's clones, run the operation through the service, report what happened.
 */
import type { CliCommand } from '../shared';
import { expectArgs, reportBatch } from '../shared';
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
      reportBatch(ctx, operation, DONE[operation], refs.length, r);
    },
  };
}
