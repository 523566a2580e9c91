import type { CommandDefinition } from '../types';
import { runOperation, type OperationSpec } from './runOperation';

const spec: OperationSpec = {
  operation: 'rm-wipe',
  title: 'Delete and wipe clones',
  busyLabel: 'wiping',
  confirm: {
    verb: 'Delete and Wipe',
    consequence: 'Each clone is turned off if running, undefined, and its disk images are wiped by libvirt (overwritten) and deleted.',
  },
};

/** Deletes the selected clones (or a SET), wiping their storage volumes; asks first. */
export const rmWipeClonesCommand: CommandDefinition = {
  id: 'qq2clone.rmWipe',
  run: (ctx, node?, nodes?) => runOperation(ctx, spec, node, nodes),
};
