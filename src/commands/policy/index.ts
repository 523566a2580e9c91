import type { CommandDefinition } from '../types';
import { powerOffHook } from './powerOffHook';
import { setPolicy } from './setPolicy';

export const policyCommands: readonly CommandDefinition[] = [setPolicy, powerOffHook];
