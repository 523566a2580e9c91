/**
 * The manual's SET operations (start, destroy, suspend, resume, save, save-rm, rm, rm-wipe, rm-shred): one CLI
 * command per row of core's SET_OPERATIONS. Each resolves the SET against the current template's clones, runs the
 * operation through the service and reports what happened.
 */
import { DEFAULT_POOL_SIZE } from '../../../libvirt/virsh/pool';
import { operationAccepts, SET_OPERATIONS, type SetOperationInfo } from '../../../core/operations';
import type { CliCommand } from '../shared';
import { expectArgs, reportBatch } from '../shared';

function setOperationCliCommand(info: SetOperationInfo): CliCommand {
  const operation = info.name;
  return {
    name: operation,
    usage: 'SET',
    summary: info.summary,
    // Started before the command loads: as many as the batch runs at once (the inventory uses the first of them).
    sessions: DEFAULT_POOL_SIZE,
    async run(ctx, args) {
      expectArgs(operation, 'SET', args, 1);
      const chosen = await ctx.clonesInSet(args[0]!, { command: operation, accepts: (c) => operationAccepts(operation, c.state) });
      const refs = chosen.map(({ template, id, uuid, name }) => ({ template, id, uuid, name }));
      const r = await ctx.service().run(operation, refs, { signal: ctx.signal });
      reportBatch(ctx, operation, info.done, refs.length, r);
    },
  };
}

/** The SET operations' commands, in the table's order (the order -h lists them). */
export const setOperationCliCommands: readonly CliCommand[] = SET_OPERATIONS.map(setOperationCliCommand);
