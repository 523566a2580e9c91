import { destroyImage as destroyOp } from '../../../libvirt/clones';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { argsOf, chooseTemplate, runTemplateOp } from './shared';

/** modify-template destroy-image: forces the staging clone off, after a warning. */
export const destroyImageCommand: CommandDefinition = {
  id: 'qq2clone.destroyImage',
  run: async (ctx, node?) => {
    const name = await chooseTemplate(ctx, node, 'Force off the staged image of a template');
    if (!name) return undefined;
    const ok =
      argsOf(node).confirmed ||
      (await prompts.confirm(
        `Force off the staged image of ${name}?`,
        'This is like pulling the plug: unwritten data is lost and the disk may be left inconsistent, and a later Commit Image makes that permanent in the template. Shutting down from inside the guest is safer.',
        'Force Off',
      ));
    if (!ok) return undefined;
    return runTemplateOp(ctx, `Force off image of ${name}`, (signal) => destroyOp(ctx.host.service, name, signal), () => []);
  },
};
