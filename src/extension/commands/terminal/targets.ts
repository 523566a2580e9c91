import { isActive } from '../../../core/operations';
import type { CloneInfo } from '../../../libvirt/api';
import { prompts } from '../../ui/prompts';
import { freshInventory, targetsFromArgsOrPalette } from '../common/chooseTargets';
import { selectedNodes } from '../common/targets';
import type { CommandContext } from '../types';

/**
 * The clones a terminal command (exec, connect) acts on, in any state, in template then clone-number order:
 * the tree selection (a template node stands for all its clones), a SetArgs object ({ template?, set }), or from
 * the palette a template and a SET. The staging clone is never included. Undefined when cancelled or nothing
 * resolved (the reason has been shown).
 */
export async function chooseClones(ctx: CommandContext, title: string, node: unknown, nodes: unknown): Promise<CloneInfo[] | undefined> {
  const picked = selectedNodes(node, nodes);
  let clones: CloneInfo[];
  if (picked.length) {
    clones = picked.flatMap((n) => (n.kind === 'clone' ? [n.clone] : n.clones.map((c) => c.clone)));
  } else {
    const targets = await targetsFromArgsOrPalette(ctx, title, node);
    if (!targets) return undefined;
    clones = [...targets.clones];
  }
  const seen = new Set<string>();
  clones = clones.filter((c) => !c.staging && !seen.has(c.uuid) && seen.add(c.uuid));
  clones.sort((a, b) => a.template.localeCompare(b.template) || a.id - b.id);
  if (clones.length === 0) void prompts.notify('warning', `${title}: no clones selected.`);
  return clones.length ? clones : undefined;
}

/** The single clone a per-clone command (console, screen) acts on: the clicked node, or a pick from the palette. */
export async function chooseOneClone(ctx: CommandContext, title: string, node: unknown, running = false): Promise<CloneInfo | undefined> {
  const picked = selectedNodes(node, undefined);
  if (picked[0]?.kind === 'clone') return picked[0].clone;
  const inventory = await freshInventory(ctx);
  if (!inventory) return undefined;
  const candidates = inventory.clones
    .filter((c) => !running || isActive(c.state))
    .sort((a, b) => a.template.localeCompare(b.template) || a.id - b.id);
  if (candidates.length === 0) {
    void prompts.notify('warning', `${title}: there is no ${running ? 'running ' : ''}clone.`);
    return undefined;
  }
  const item = await prompts.quickPick(
    candidates.map((c) => ({ label: `${c.id} ${c.name}`, description: `${c.template} · ${c.state}`, clone: c })),
    { title, placeHolder: 'Pick a clone' },
  );
  return item?.clone;
}
