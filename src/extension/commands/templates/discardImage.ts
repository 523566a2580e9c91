import { discardImage as discardOp } from '../../../libvirt/clones';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { argsOf, chooseTemplate, runTemplateOp } from './shared';

/** modify-template discard-image: deletes the staging clone and its overlay without committing. */
export const discardImageCommand: CommandDefinition = {
  id: 'qq2clone.discardImage',
  run: async (ctx, node?) => {
    const name = await chooseTemplate(ctx, node, 'Discard the staged image of a template');
    if (!name) return undefined;
    const ok =
      argsOf(node).confirmed ||
      (await prompts.confirm(`Discard the staged image of ${name}?`, 'The changes made in it are lost.', 'Discard'));
    if (!ok) return undefined;
    return runTemplateOp(ctx, `Discard image of ${name}`, (signal) => discardOp(ctx.host.service, name, signal), (r) => [
      `Discarded${r.length ? `; deleted ${r.join(', ')}` : ''}.`,
    ]);
  },
};
