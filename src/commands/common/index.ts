import type { CommandDefinition } from '../types';
import { openWalkthrough } from './openWalkthrough';
import { refresh } from './refresh';

export const commonCommands: readonly CommandDefinition[] = [refresh, openWalkthrough];
