/** Clone commands: making clones, the SET operations on them (one table), SET selection, new identities. */
import type { CommandDefinition } from '../types';
import { cloneTemplateCommand } from './cloneTemplate';
import { setOperationCommands } from './setOperationCommands';
import { selectBySetCommand } from './selectBySet';
import { newIdentityCommand } from './newIdentity';

export const cloneCommands: readonly CommandDefinition[] = [
  cloneTemplateCommand,
  ...setOperationCommands,
  selectBySetCommand,
  newIdentityCommand,
];
