import type { CommandDefinition } from '../types';
import { powerClones } from './powerClones';

/** Reboots the selected clones (or a SET) gracefully: the guest agent, else ACPI. */
export const rebootClonesCommand: CommandDefinition = {
  id: 'qq2clone.reboot',
  run: (ctx, node?, nodes?) => powerClones(ctx, 'reboot', node, nodes),
};
