import type { CommandDefinition } from '../../types';
import { runOperation, type OperationSpec } from '../runOperation';

const spec: OperationSpec = {
  operation: 'resume',
  title: 'Resume clones',
  busyLabel: 'resuming',
};

/** Resumes the selected paused clones (or a SET). */
export const resumeClonesCommand: CommandDefinition = {
  id: 'qq2clone.resume',
  run: (ctx, node?, nodes?) => runOperation(ctx, spec, node, nodes),
};
