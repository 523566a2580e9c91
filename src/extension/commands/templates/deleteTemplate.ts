import { deleteTemplate as deleteOp } from '../../../libvirt/templates';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { argsOf, chooseTemplate, runTemplateOp, extensionTemplateDeps } from './shared';

/** delete-template: only when it has no clones (the operation refuses and says how many otherwise). */
export const deleteTemplateCommand: CommandDefinition = {
  id: 'qq2clone.deleteTemplate',
  run: async (ctx, node?) => {
    const name = await chooseTemplate(ctx, node, 'Delete a template');
    if (!name) return undefined;
    const ok =
      argsOf(node).confirmed ||
      (await prompts.confirm(`Delete template ${name}?`, 'Its XML file is deleted; imported disk images are kept.', 'Delete'));
    if (!ok) return undefined;
    return runTemplateOp(ctx, `Delete template ${name}`, (signal) => deleteOp(extensionTemplateDeps(ctx), name, signal), (r) => [
      `Deleted.`,
      ...r.messages,
    ]);
  },
};
