import type { CommandDefinition } from '../../types';
import { runOperation, type OperationSpec } from '../runOperation';

const spec: OperationSpec = {
  operation: 'start',
  title: 'Start clones',
  busyLabel: 'starting',
};

/**
 * Starts the selected clones (or a SET) that are off or saved; saved ones resume from their state. A crashed clone
 * that is still active is skipped (destroy it first).
 */
export const startClonesCommand: CommandDefinition = {
  id: 'qq2clone.start',
  run: (ctx, node?, nodes?) => runOperation(ctx, spec, node, nodes),
};
