import { nameProblem } from '../../../core/names';
import { renameTemplate as renameOp } from '../../../libvirt/templates';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { argsOf, chooseTemplate, runTemplateOp, extensionTemplateDeps } from './shared';

/** modify-template rename: renames the template and all its clones (they must be off). */
export const renameTemplateCommand: CommandDefinition = {
  id: 'qq2clone.renameTemplate',
  run: async (ctx, node?) => {
    const from = await chooseTemplate(ctx, node, 'Rename a template');
    if (!from) return undefined;
    const to =
      argsOf(node).newName ??
      (await prompts.inputBox({ title: `Rename template ${from}`, prompt: 'New name (its clones are renamed too)', value: from, validateInput: nameProblem }));
    if (!to || to === from) return undefined;
    return runTemplateOp(ctx, `Rename template ${from}`, (signal) => renameOp(extensionTemplateDeps(ctx), from, to, signal), (r) => [
      `Now named ${r.name}.`,
      ...r.messages,
    ]);
  },
};
