import type { CommandDefinition } from '../types';
import { check } from './check';
import { commitImage } from './commitImage';
import { copyTemplate } from './copyTemplate';
import { deleteTemplate } from './deleteTemplate';
import { destroyImage } from './destroyImage';
import { discardImage } from './discardImage';
import { editTemplate } from './editTemplate';
import { importTemplate } from './importTemplate';
import { prepareImage } from './prepareImage';
import { renameTemplate } from './renameTemplate';
import { showTemplateProblem } from './showTemplateProblem';

export const templateCommands: readonly CommandDefinition[] = [
  importTemplate,
  copyTemplate,
  renameTemplate,
  deleteTemplate,
  editTemplate,
  prepareImage,
  commitImage,
  discardImage,
  destroyImage,
  check,
  showTemplateProblem,
];
