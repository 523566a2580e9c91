import type { CommandDefinition } from '../types';
import { openWalkthroughCommand } from './openWalkthrough';
import { refreshCommand } from './refresh';
import { retryHostCommand } from './retryHost';

export const commonCommands: readonly CommandDefinition[] = [refreshCommand, openWalkthroughCommand, retryHostCommand];
