import type { CommandDefinition } from '../../types';
import { runOperation, type OperationSpec } from '../runOperation';

const spec: OperationSpec = {
  operation: 'save',
  title: 'Save clones',
  busyLabel: 'saving',
};

/** Saves the execution state of the selected running or paused clones (or a SET) and stops them. */
export const saveClonesCommand: CommandDefinition = {
  id: 'qq2clone.save',
  run: (ctx, node?, nodes?) => runOperation(ctx, spec, node, nodes),
};
