import type { CommandDefinition } from '../types';
import { checkCommand } from './check';
import { commitImageCommand } from './commitImage';
import { copyTemplateCommand } from './copyTemplate';
import { deleteTemplateCommand } from './deleteTemplate';
import { destroyImageCommand } from './destroyImage';
import { discardImageCommand } from './discardImage';
import { editTemplateCommand } from './editTemplate';
import { importTemplateCommand } from './importTemplate';
import { prepareImageCommand } from './prepareImage';
import { renameTemplateCommand } from './renameTemplate';
import { showTemplateProblemCommand } from './showTemplateProblem';
import { cloneIdentityCommand } from './cloneIdentity';

export const templateCommands: readonly CommandDefinition[] = [
  importTemplateCommand,
  copyTemplateCommand,
  renameTemplateCommand,
  deleteTemplateCommand,
  editTemplateCommand,
  prepareImageCommand,
  commitImageCommand,
  discardImageCommand,
  destroyImageCommand,
  checkCommand,
  showTemplateProblemCommand,
  cloneIdentityCommand,
];
