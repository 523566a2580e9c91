import type { CommandDefinition } from '../types';
import { browseDiskCommand } from './browseDisk';
import { compareWithTemplateCommand } from './compareWithTemplate';
import { copyIntoDiskCommand } from './copyIntoDisk';
import { copyOutOfDiskCommand } from './copyOutOfDisk';

export const diskCommands: readonly CommandDefinition[] = [browseDiskCommand, compareWithTemplateCommand, copyIntoDiskCommand, copyOutOfDiskCommand];
