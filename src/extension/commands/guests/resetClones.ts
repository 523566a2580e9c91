import type { CommandDefinition } from '../types';
import { powerClones } from './powerClones';

/** Resets the selected clones (or a SET) at once, like a reset button; asks first. */
export const resetClonesCommand: CommandDefinition = {
  id: 'qq2clone.reset',
  run: (ctx, node?, nodes?) => powerClones(ctx, 'reset', node, nodes),
};
