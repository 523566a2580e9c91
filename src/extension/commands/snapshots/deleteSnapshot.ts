import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { pickSnapshot } from './pickSnapshot';
import { snapshotWithProgress } from './snapshotProgress';

const TITLE = 'Delete Snapshot';

/** Deletes a snapshot of a clone (from its overlays and libvirt's metadata); the clone itself is not changed. */
export const deleteSnapshotCommand: CommandDefinition = {
  id: 'qq2clone.deleteSnapshot',
  run: async (ctx, node?) => {
    const p = await pickSnapshot(ctx, TITLE, node);
    if (!p) return;
    const ok = await prompts.confirm(
      `Delete snapshot ${p.snapshot.name} of clone ${p.clone.id} (${p.clone.name})?`,
      'The clone stays as it is; it can no longer go back to this snapshot.',
      'Delete',
    );
    if (!ok) return;
    await snapshotWithProgress(ctx, `${TITLE} ${p.snapshot.name}`, { kind: 'delete', name: p.snapshot.name }, [p.clone]);
  },
};
