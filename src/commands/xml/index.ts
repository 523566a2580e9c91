import type { CommandDefinition } from '../types';
import { compareXml } from './compareXml';
import { editXml } from './editXml';
import { openTemplateXml } from './openTemplateXml';
import { saveXml } from './saveXml';
import { saveXmlWithoutValidation } from './saveXmlWithoutValidation';

export const xmlCommands: readonly CommandDefinition[] = [editXml, openTemplateXml, saveXml, saveXmlWithoutValidation, compareXml];
