import type { CommandDefinition } from '../../types';
import { runOperation, type OperationSpec } from '../runOperation';

const spec: OperationSpec = {
  operation: 'destroy',
  title: 'Destroy clones',
  busyLabel: 'destroying',
  confirm: {
    verb: 'Destroy',
    consequence: 'Each running clone is forcibly turned off, like pulling the plug: what the guest had not written to disk is lost.',
  },
};

/** Forcibly turns off the selected clones (or a SET); asks first. */
export const destroyClonesCommand: CommandDefinition = {
  id: 'qq2clone.destroy',
  run: (ctx, node?, nodes?) => runOperation(ctx, spec, node, nodes),
};
