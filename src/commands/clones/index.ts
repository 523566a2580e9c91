import type { CommandDefinition } from '../types';
import { cloneTemplate } from './cloneTemplate';
import { destroyClones } from './destroyClones';
import { resumeClones } from './resumeClones';
import { rmClones } from './rmClones';
import { rmShredClones } from './rmShredClones';
import { rmWipeClones } from './rmWipeClones';
import { saveClones } from './saveClones';
import { saveRmClones } from './saveRmClones';
import { selectBySet } from './selectBySet';
import { startClones } from './startClones';
import { suspendClones } from './suspendClones';

export const cloneCommands: readonly CommandDefinition[] = [
  cloneTemplate,
  startClones,
  destroyClones,
  suspendClones,
  resumeClones,
  saveClones,
  saveRmClones,
  rmClones,
  rmWipeClones,
  rmShredClones,
  selectBySet,
];
