/** Clone commands: making clones, the SET operations on them (power state in power/, removal here), SET selection. */
import type { CommandDefinition } from '../types';
import { cloneTemplateCommand } from './cloneTemplate';
import { powerCommands } from './power';
import { rmClonesCommand } from './rmClones';
import { rmShredClonesCommand } from './rmShredClones';
import { rmWipeClonesCommand } from './rmWipeClones';
import { selectBySetCommand } from './selectBySet';
import { newIdentityCommand } from './newIdentity';

export const cloneCommands: readonly CommandDefinition[] = [
  cloneTemplateCommand,
  ...powerCommands,
  rmClonesCommand,
  rmWipeClonesCommand,
  rmShredClonesCommand,
  selectBySetCommand,
  newIdentityCommand,
];
