import type { CommandDefinition } from '../types';
import { browseDisk } from './browseDisk';
import { compareWithTemplate } from './compareWithTemplate';
import { copyIntoDisk } from './copyIntoDisk';
import { copyOutOfDisk } from './copyOutOfDisk';

export const diskCommands: readonly CommandDefinition[] = [browseDisk, compareWithTemplate, copyIntoDisk, copyOutOfDisk];
