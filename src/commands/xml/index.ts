import type { CommandDefinition } from '../types';
import { compareXml } from './compareXml';
import { editXml } from './editXml';
import { openTemplateXml } from './openTemplateXml';
import { saveXmlWithoutValidation } from './saveXmlWithoutValidation';

export const xmlCommands: readonly CommandDefinition[] = [editXml, openTemplateXml, saveXmlWithoutValidation, compareXml];
