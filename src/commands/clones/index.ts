import type { CommandDefinition } from '../types';
import { cloneTemplateCommand } from './cloneTemplate';
import { destroyClonesCommand } from './destroyClones';
import { resumeClonesCommand } from './resumeClones';
import { rmClonesCommand } from './rmClones';
import { rmShredClonesCommand } from './rmShredClones';
import { rmWipeClonesCommand } from './rmWipeClones';
import { saveClonesCommand } from './saveClones';
import { saveRmClonesCommand } from './saveRmClones';
import { selectBySetCommand } from './selectBySet';
import { startClonesCommand } from './startClones';
import { suspendClonesCommand } from './suspendClones';

export const cloneCommands: readonly CommandDefinition[] = [
  cloneTemplateCommand,
  startClonesCommand,
  destroyClonesCommand,
  suspendClonesCommand,
  resumeClonesCommand,
  saveClonesCommand,
  saveRmClonesCommand,
  rmClonesCommand,
  rmWipeClonesCommand,
  rmShredClonesCommand,
  selectBySetCommand,
];
