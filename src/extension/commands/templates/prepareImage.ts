import { prepareImage as prepareOp } from '../../../libvirt/clones';
import type { CommandDefinition } from '../types';
import { chooseTemplate, runTemplateOp } from './shared';

/** modify-template prepare-image: makes (if needed) and runs the template's staging clone. */
export const prepareImageCommand: CommandDefinition = {
  id: 'qq2clone.prepareImage',
  run: async (ctx, node?) => {
    const name = await chooseTemplate(ctx, node, 'Prepare an image for a template');
    if (!name) return undefined;
    return runTemplateOp(ctx, `Prepare image of ${name}`, (signal) => prepareOp(ctx.host.service, name, signal), (r) => [
      `${r.created ? 'Created and started' : 'Started'} ${r.staging.name}.`,
      'Make your changes in it, shut it down from inside the guest, then Commit Image.',
    ]);
  },
};
