/**
 * The manual's SET operations (start, destroy, suspend, resume, save, save-rm, rm, rm-wipe, rm-shred): one CLI
 * command per row of core's SET_OPERATIONS. Each resolves the SET against the current template's clones, runs the
 * operation through the service and reports what happened.
 */
import { operationAccepts, SET_OPERATIONS, type SetOperationInfo } from '../../../core/operations';
import type { CliCommand } from '../shared';
import { expectArgs, reportBatch } from '../shared';

function setOperationCliCommand(info: SetOperationInfo): CliCommand {
  const operation = info.name;
  return {
    name: operation,
    usage: 'SET',
    summary: info.summary,
    // Started before the command loads: the inventory's two (its bookkeeping reads go to a second session beyond 64
    // domains), which any batch of two clones or more uses as well; the service starts the batch's others when it
    // knows how many (runCloneOperation).
    sessions: 2,
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
