import { nameProblem } from '../../../core/names';
import { copyTemplate as copyOp } from '../../../libvirt/templates';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { argsOf, chooseTemplate, runTemplateOp, extensionTemplateDeps } from './shared';

/** copy-template: the same XML and storage under a new name. */
export const copyTemplateCommand: CommandDefinition = {
  id: 'qq2clone.copyTemplate',
  run: async (ctx, node?) => {
    const from = await chooseTemplate(ctx, node, 'Copy a template');
    if (!from) return undefined;
    const to =
      argsOf(node).newName ??
      (await prompts.inputBox({ title: `Copy template ${from}`, prompt: 'Name of the copy', value: `${from}_2`, validateInput: nameProblem }));
    if (!to) return undefined;
    return runTemplateOp(ctx, `Copy template ${from}`, () => copyOp(extensionTemplateDeps(ctx), from, to), (r) => [
      `Template ${r.name} made; it shares the disk images of ${from}.`,
    ]);
  },
};
