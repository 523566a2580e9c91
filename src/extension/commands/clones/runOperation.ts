import type { SetOperationInfo } from '../../../core/operations';
import { asQq2Error } from '../../../core/errors';
import type { BatchResult } from '../../../libvirt/api';
import { confirmDestructive } from '../../ui/confirm';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import { summarize } from '../../ui/summary';
import { chooseTargets } from '../common/chooseTargets';
import { refOf } from '../common/targets';
import { cloneWhat, listSkips, type Skip } from '../../ui/cloneWords';
import type { CommandContext } from '../types';

/**
 * The common body of start, destroy, suspend, resume, save, save-rm, rm, rm-wipe and rm-shred: choose the clones,
 * confirm when destructive, skip busy ones, run under progress with Cancel, summarise, refresh the tree.
 */
export async function runOperation(
  ctx: CommandContext,
  spec: SetOperationInfo,
  node?: unknown,
  nodes?: unknown,
): Promise<BatchResult | undefined> {
  const targets = await chooseTargets(ctx, spec.name, spec.title, node, nodes);
  if (!targets) return undefined;
  if (targets.clones.length === 0) {
    void prompts.notify('warning', `${spec.title}: nothing to do; skipped ${listSkips(targets.skipped)}.`);
    return undefined;
  }
  if (spec.confirm && !(await confirmDestructive(spec.confirm.verb, targets.clones, spec.confirm.consequence))) {
    return undefined;
  }
  const { acquired, busy } = ctx.tree.busy.acquire(
    targets.clones.map((c) => c.uuid),
    spec.busyLabel,
  );
  const skipped: Skip[] = [...targets.skipped];
  for (const b of busy) {
    const c = targets.clones.find((x) => x.uuid === b.key)!;
    skipped.push({ what: cloneWhat(c), reason: `busy ${b.label}` });
  }
  const refs = targets.clones.filter((c) => acquired.includes(c.uuid)).map(refOf);
  if (refs.length === 0) {
    void prompts.notify('warning', `${spec.title}: nothing to do; skipped ${listSkips(skipped)}.`);
    return undefined;
  }
  ctx.output.info(`${spec.title}: ${refs.map((r) => `${r.template}#${r.id}`).join(', ')}`);
  // A disk view holding a clone's overlay for writing would make QEMU refuse the start (image lock), and holds the
  // clone's lock, which rm waits for: close it first.
  if ((spec.name === 'start' || spec.name.startsWith('rm')) && ctx.disk) {
    await Promise.all(refs.map((r) => ctx.disk!.host.disk.close({ template: r.template, clone: r.id })));
  }
  try {
    const result = await prompts.progress(spec.title, refs.length, (signal, done) =>
      ctx.host.service.run(spec.name, refs, { signal, onProgress: (p) => done(p.done, p.total, p.item?.name) }),
    );
    summarize(ctx.output, spec.title, result, skipped, uiSettings().quiet);
    return result;
  } catch (e) {
    const err = asQq2Error(e);
    ctx.output.error(`${spec.title} failed: ${err.message}${err.failure.stderr ? `\n${err.failure.stderr}` : ''}`);
    void prompts.notify('error', `${spec.title} failed: ${err.message}`, 'Show Output').then((a) => a && ctx.output.show(true));
    return undefined;
  } finally {
    ctx.tree.busy.release(acquired);
    ctx.tree.requestRefresh();
  }
}
