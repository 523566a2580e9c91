import type { CommandDefinition } from '../types';
import { showUsageCommand } from './showUsage';

export const usageCommands: readonly CommandDefinition[] = [showUsageCommand];
