import { asQq2Error } from '../../../core/errors';
import type { CloneInfo } from '../../../libvirt/api';
import { prompts } from '../../ui/prompts';
import { refOf } from '../common/targets';
import { cloneWhat } from '../../ui/cloneWords';
import type { CommandContext } from '../types';

/**
 * Before reset is set on clones: those with snapshots (which live in the overlays reset makes afresh) are named in
 * one question; if the user chooses to drop them, their snapshots are deleted, else they are left out. `drop`
 * answers the question beforehand (arguments from a keybinding or a test). Returns the clones to set reset on,
 * and what was left out (with why).
 */
export async function clearSnapshotsForReset(
  ctx: CommandContext,
  clones: readonly CloneInfo[],
  drop?: boolean,
): Promise<{ clones: CloneInfo[]; left: string[] }> {
  const svc = ctx.host.service;
  const snaps = await svc.snapshotsOf(clones.map((c) => c.uuid));
  const withSnaps = clones.filter((c) => (snaps.get(c.uuid) ?? []).length > 0);
  if (!withSnaps.length) return { clones: [...clones], left: [] };
  const names = withSnaps.map((c) => `• ${cloneWhat(c)}: ${(snaps.get(c.uuid) ?? []).map((s) => s.name).join(', ')}`);
  const yes =
    drop ??
    (await prompts.confirm(
      `${withSnaps.length} of these clones ${withSnaps.length === 1 ? 'has' : 'have'} snapshots. Drop them and set reset?`,
      `Their snapshots live in the overlays that reset makes afresh, so reset is refused while they exist. Dropping deletes them; without it these clones keep their policy. (Revert to a snapshot is the policy that keeps them.)\n\n${names.join('\n')}`,
      'Drop Snapshots',
    ));
  const left: string[] = [];
  const keep = new Set(clones.map((c) => c.uuid));
  for (const c of withSnaps) {
    if (!yes) {
      keep.delete(c.uuid);
      left.push(`${cloneWhat(c)}: it has snapshots (reset would drop them)`);
      continue;
    }
    for (const s of snaps.get(c.uuid) ?? []) {
      const r = await svc.snapshot({ kind: 'delete', name: s.name }, [refOf(c)]).catch((e: unknown) => ({ failed: [{ error: asQq2Error(e) }], done: [] }));
      if (!r.done.length) {
        keep.delete(c.uuid);
        left.push(`${cloneWhat(c)}: snapshot ${s.name} could not be deleted: ${r.failed[0]?.error.message ?? 'skipped'}`);
        break;
      }
    }
  }
  ctx.tree.snapshotsChanged(withSnaps.map((c) => c.uuid));
  return { clones: clones.filter((c) => keep.has(c.uuid)), left };
}
