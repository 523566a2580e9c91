import type { CloneInfo, SnapshotInfo } from '../../../libvirt/api';
import { isSnapshotNode } from '../../tree';
import { snapshotDescription } from '../../tree/presentation';
import { prompts } from '../../ui/prompts';
import { targetsFromArgsOrPalette } from '../common/chooseTargets';
import type { CommandContext } from '../types';

/** A snapshot and the clone it belongs to. */
export interface PickedSnapshot {
  readonly clone: CloneInfo;
  readonly snapshot: SnapshotInfo;
}

/**
 * The snapshot a command acts on: the clicked snapshot node, or, from the palette, a clone (template and SET of
 * one) and then one of its snapshots. Undefined when cancelled or there is none (said).
 */
export async function pickSnapshot(ctx: CommandContext, title: string, node: unknown): Promise<PickedSnapshot | undefined> {
  if (isSnapshotNode(node)) return { clone: node.parent.clone, snapshot: node.snapshot };
  const t = await targetsFromArgsOrPalette(ctx, title, node);
  const clone = t?.clones[0];
  if (!clone) return undefined;
  const list = await ctx.host.service.snapshots(clone.uuid);
  if (!list.length) {
    void prompts.notify('warning', `${title}: clone ${clone.id} (${clone.name}) has no snapshots.`);
    return undefined;
  }
  const item = await prompts.quickPick(
    list.map((s) => ({ label: s.name, description: snapshotDescription(s), detail: s.description || undefined, s })),
    { title: `${title}: which snapshot of ${clone.name}?` },
  );
  return item ? { clone, snapshot: item.s } : undefined;
}
