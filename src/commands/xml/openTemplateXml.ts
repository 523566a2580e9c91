import type { CommandDefinition } from '../types';
import { editXml } from './editXml';

/** The template XML document, for the template commands' Edit (argument { template }; or a tree node). */
export const openTemplateXml: CommandDefinition = {
  id: 'qq2clone.openTemplateXml',
  run: (ctx, node?) => {
    const template = typeof node === 'object' && node !== null ? (node as { template?: unknown }).template : undefined;
    return editXml.run(ctx, typeof template === 'string' ? { template } : node);
  },
};
