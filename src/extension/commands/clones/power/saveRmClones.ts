import type { CommandDefinition } from '../../types';
import { runOperation, type OperationSpec } from '../runOperation';

const spec: OperationSpec = {
  operation: 'save-rm',
  title: 'Delete saved states',
  busyLabel: 'removing saved state',
};

/** Deletes the saved state of the selected saved clones (or a SET); they start fresh next time. */
export const saveRmClonesCommand: CommandDefinition = {
  id: 'qq2clone.saveRm',
  run: (ctx, node?, nodes?) => runOperation(ctx, spec, node, nodes),
};
