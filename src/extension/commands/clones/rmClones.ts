import type { CommandDefinition } from '../types';
import { runOperation, type OperationSpec } from './runOperation';

const spec: OperationSpec = {
  operation: 'rm',
  title: 'Delete clones',
  busyLabel: 'deleting',
  confirm: {
    verb: 'Delete',
    consequence: 'Each clone is turned off if running, undefined, and its disk images and saved state are deleted.',
  },
};

/** Deletes the selected clones (or a SET) with their storage; asks first. */
export const rmClonesCommand: CommandDefinition = {
  id: 'qq2clone.rm',
  run: (ctx, node?, nodes?) => runOperation(ctx, spec, node, nodes),
};
