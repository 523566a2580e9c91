import { asQq2Error } from '../../../core/errors';
import type { CloneInfo, SnapshotAction } from '../../../libvirt/api';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import { summarize } from '../../ui/summary';
import { refOf } from '../common/targets';
import { cloneWhat, type Skip } from '../../ui/cloneWords';
import type { CommandContext } from '../types';

const BUSY: Record<SnapshotAction['kind'], string> = { create: 'taking a snapshot', revert: 'reverting', delete: 'deleting a snapshot' };

/**
 * Runs a snapshot action on clones as a command does: the clones shown busy, progress with Cancel, the summary;
 * then the tree reads their snapshots again. Resolves when it is all done.
 */
export async function snapshotWithProgress(ctx: CommandContext, title: string, action: SnapshotAction, clones: readonly CloneInfo[], uiSkipped: readonly Skip[] = []): Promise<void> {
  const { acquired, busy } = ctx.tree.busy.acquire(clones.map((c) => c.uuid), BUSY[action.kind]);
  const skipped: Skip[] = [...uiSkipped];
  for (const b of busy) skipped.push({ what: cloneWhat(clones.find((x) => x.uuid === b.key)!), reason: `busy ${b.label}` });
  const refs = clones.filter((c) => acquired.includes(c.uuid)).map(refOf);
  try {
    if (!refs.length) {
      void prompts.notify('warning', `${title}: nothing to do; ${skipped.map((s) => `${s.what}: ${s.reason}`).join('; ')}.`);
      return;
    }
    ctx.output.info(`${title}: ${refs.map((r) => `${r.template}#${r.id}`).join(', ')}`);
    const r = await prompts.progress(title, refs.length, (signal, done) =>
      ctx.host.service.snapshot(action, refs, { signal, onProgress: (p) => done(p.done) }),
    );
    summarize(ctx.output, title, r, skipped, uiSettings().quiet);
  } catch (e) {
    const err = asQq2Error(e);
    ctx.output.error(`${title} failed: ${err.message}`);
    void prompts.notify('error', `${title} failed: ${err.message}`);
  } finally {
    ctx.tree.busy.release(acquired);
    ctx.tree.snapshotsChanged(refs.map((r) => r.uuid));
    ctx.tree.requestRefresh();
  }
}
