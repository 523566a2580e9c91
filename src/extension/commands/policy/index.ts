import type { CommandDefinition } from '../types';
import { powerOffHookCommand } from './powerOffHook';
import { setPolicyCommand } from './setPolicy';

export const policyCommands: readonly CommandDefinition[] = [setPolicyCommand, powerOffHookCommand];
