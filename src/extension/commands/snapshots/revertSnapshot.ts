import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { pickSnapshot } from './pickSnapshot';
import { snapshotWithProgress } from './snapshotProgress';

const TITLE = 'Revert to Snapshot';

/**
 * Brings a clone back to one of its snapshots, after asking once and naming what is lost: everything its disks
 * received since the snapshot, and, when the clone is running, its present memory.
 */
export const revertSnapshotCommand: CommandDefinition = {
  id: 'qq2clone.revertSnapshot',
  run: async (ctx, node?) => {
    const p = await pickSnapshot(ctx, TITLE, node);
    if (!p) return;
    const { clone, snapshot: s } = p;
    const lost = [`every change to its disks since ${s.name} was taken`];
    if (clone.state !== 'off') lost.push(`its running state now (the guest's memory and unsaved work)`);
    const after = s.withMemory ? 'It comes back running where it was at the snapshot.' : 'It comes back off, as it was at the snapshot.';
    const ok = await prompts.confirm(
      `Revert clone ${clone.id} (${clone.name}) to snapshot ${s.name}?`,
      `Lost: ${lost.join('; and ')}. ${after}`,
      'Revert',
    );
    if (!ok) return;
    await snapshotWithProgress(ctx, `${TITLE} ${s.name}`, { kind: 'revert', name: s.name }, [clone]);
  },
};
