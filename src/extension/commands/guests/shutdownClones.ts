import type { CommandDefinition } from '../types';
import { powerClones } from './powerClones';

/** Shuts down the selected clones (or a SET) gracefully: the guest agent, else ACPI; waits, then offers Force Off for those still running. */
export const shutdownClonesCommand: CommandDefinition = {
  id: 'qq2clone.shutdown',
  run: (ctx, node?, nodes?) => powerClones(ctx, 'shutdown', node, nodes),
};
