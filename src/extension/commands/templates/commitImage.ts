import { commitImage as commitOp } from '../../../libvirt/clones';
import type { CommandDefinition } from '../types';
import { chooseTemplate, runTemplateOp } from './shared';

/** modify-template commit-image: the staged changes become a new image generation; existing clones keep theirs. */
export const commitImageCommand: CommandDefinition = {
  id: 'qq2clone.commitImage',
  run: async (ctx, node?) => {
    const name = await chooseTemplate(ctx, node, 'Commit the staged image of a template');
    if (!name) return undefined;
    return runTemplateOp(ctx, `Commit image of ${name}`, (signal) => commitOp(ctx.host.service, name, signal), (r) => [
      ...r.images.map((i) => `Template uses generation ${i.generation} (${i.target}): ${i.image}.`),
      ...(r.clonesOnOldImage ? [`${r.clonesOnOldImage} existing clone(s) keep the image they were made from.`] : []),
      ...r.deleted.map((d) => `Deleted unused ${d}.`),
      ...(r.kept ? [r.kept] : []),
    ]);
  },
};
