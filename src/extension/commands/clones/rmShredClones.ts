import type { CommandDefinition } from '../types';
import { runOperation, type OperationSpec } from './runOperation';

const spec: OperationSpec = {
  operation: 'rm-shred',
  title: 'Delete and shred clones',
  busyLabel: 'shredding',
  confirm: {
    verb: 'Delete and Shred',
    consequence: 'Each clone is turned off if running, undefined, and its disk images are shredded and deleted.',
  },
};

/** Deletes the selected clones (or a SET), shredding their storage; asks first. */
export const rmShredClonesCommand: CommandDefinition = {
  id: 'qq2clone.rmShred',
  run: (ctx, node?, nodes?) => runOperation(ctx, spec, node, nodes),
};
