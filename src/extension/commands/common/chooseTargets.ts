import type { AnyOperationName } from '../../../core/operations';
import { asQq2Error } from '../../../core/errors';
import type { Inventory } from '../../../libvirt/api';
import { askSet } from '../../ui/setInput';
import { pickTemplate } from '../../ui/pickTemplate';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import type { CommandContext } from '../types';
import { isSetArgs, selectedNodes, targetsFromNodes, targetsFromSet, type Targets } from './targets';

/** The inventory to resolve SETs against: read now, so a palette command never acts on a stale view. */
export async function freshInventory(ctx: CommandContext): Promise<Inventory | undefined> {
  await ctx.tree.refresh();
  const inv = ctx.tree.inventory;
  if (!inv) {
    void prompts.notify('error', `libvirt is not reachable: ${ctx.tree.unavailable?.message ?? 'unknown reason'}`, 'Retry');
  }
  return inv;
}

/**
 * The clones a clone command acts on: the tree selection (node, nodes), a SetArgs object ({ template?, set }),
 * or, from the palette, a template and a SET asked for. Undefined when the user cancelled or nothing resolved
 * (the reason has been shown).
 */
export async function chooseTargets(
  ctx: CommandContext,
  operation: AnyOperationName,
  title: string,
  node: unknown,
  nodes: unknown,
): Promise<Targets | undefined> {
  const picked = selectedNodes(node, nodes);
  if (picked.length) return targetsFromNodes(operation, picked);
  return targetsFromArgsOrPalette(ctx, title, node, operation);
}

/**
 * The clones named by a SetArgs object ({ template?, set }) or, from the palette, by a template and a SET asked
 * for; with an operation, only those it may act on (the SET box previews them). Undefined when the user cancelled
 * or nothing resolved (the reason has been shown).
 */
export async function targetsFromArgsOrPalette(
  ctx: CommandContext,
  title: string,
  node: unknown,
  operation?: AnyOperationName,
): Promise<Targets | undefined> {
  const inventory = await freshInventory(ctx);
  if (!inventory) return undefined;
  let template: string | undefined;
  let set: string | undefined;
  if (isSetArgs(node)) {
    template = node.template ?? (uiSettings().defaultTemplate || undefined);
    set = node.set;
    if (!template) {
      void prompts.notify('error', `${title}: no template given and qq2clone.defaultTemplate is not set.`);
      return undefined;
    }
  } else {
    template = await pickTemplate(inventory, title);
    if (!template) return undefined;
    set = await askSet(inventory, template, `${title}: which clones of ${template}?`, operation);
  }
  if (set === undefined) return undefined;
  try {
    return targetsFromSet(inventory, template, set, operation);
  } catch (e) {
    void prompts.notify('error', `${title}: ${asQq2Error(e).message}`);
    return undefined;
  }
}
