/** The SET operations that change a clone's power state (start, destroy, suspend, resume, save, save-rm). */
import type { CommandDefinition } from '../../types';
import { destroyClonesCommand } from './destroyClones';
import { resumeClonesCommand } from './resumeClones';
import { saveClonesCommand } from './saveClones';
import { saveRmClonesCommand } from './saveRmClones';
import { startClonesCommand } from './startClones';
import { suspendClonesCommand } from './suspendClones';

export const powerCommands: readonly CommandDefinition[] = [
  startClonesCommand,
  destroyClonesCommand,
  suspendClonesCommand,
  resumeClonesCommand,
  saveClonesCommand,
  saveRmClonesCommand,
];
