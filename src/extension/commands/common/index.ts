import type { CommandDefinition } from '../types';
import { openWalkthroughCommand } from './openWalkthrough';
import { refreshCommand } from './refresh';

export const commonCommands: readonly CommandDefinition[] = [refreshCommand, openWalkthroughCommand];
