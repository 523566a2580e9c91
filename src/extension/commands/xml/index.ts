import type { CommandDefinition } from '../types';
import { compareXmlCommand } from './compareXml';
import { editXmlCommand } from './editXml';
import { openTemplateXmlCommand } from './openTemplateXml';
import { saveXmlCommand } from './saveXml';
import { saveXmlWithoutValidationCommand } from './saveXmlWithoutValidation';

export const xmlCommands: readonly CommandDefinition[] = [editXmlCommand, openTemplateXmlCommand, saveXmlCommand, saveXmlWithoutValidationCommand, compareXmlCommand];
