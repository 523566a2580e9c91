import type { CommandDefinition } from '../types';
import { refresh } from './refresh';

export const commonCommands: readonly CommandDefinition[] = [refresh];
