import type { CommandDefinition } from '../types';
import { editXmlCommand } from './editXml';

/** The template XML document, for the template commands' Edit (argument { template }; or a tree node). */
export const openTemplateXmlCommand: CommandDefinition = {
  id: 'qq2clone.openTemplateXml',
  hosts: 'first',
  run: (ctx, node?) => {
    const template = typeof node === 'object' && node !== null ? (node as { template?: unknown }).template : undefined;
    return editXmlCommand.run(ctx, typeof template === 'string' ? { template } : node);
  },
};
