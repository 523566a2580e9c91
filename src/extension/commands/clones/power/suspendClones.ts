import type { CommandDefinition } from '../../types';
import { runOperation, type OperationSpec } from '../runOperation';

const spec: OperationSpec = {
  operation: 'suspend',
  title: 'Suspend clones',
  busyLabel: 'suspending',
};

/** Pauses the selected running clones (or a SET). */
export const suspendClonesCommand: CommandDefinition = {
  id: 'qq2clone.suspend',
  run: (ctx, node?, nodes?) => runOperation(ctx, spec, node, nodes),
};
