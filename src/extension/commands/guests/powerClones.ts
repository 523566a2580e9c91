import { asQq2Error } from '../../../core/errors';
import type { CloneRef } from '../../../libvirt/api';
import { power, type PowerOperation, type PowerResult } from '../../../libvirt/guests';
import { confirmDestructive } from '../../ui/confirm';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import { summarize } from '../../ui/summary';
import { chooseTargets } from '../common/chooseTargets';
import { refOf } from '../common/targets';
import { cloneWhat, listSkips, type Skip } from '../../ui/cloneWords';
import type { CommandContext } from '../types';
import { guestSettings } from './guestSettings';

const TITLE: Record<PowerOperation, string> = { shutdown: 'Shut down clones', reboot: 'Reboot clones', reset: 'Reset clones' };
const BUSY: Record<PowerOperation, string> = { shutdown: 'shutting down', reboot: 'rebooting', reset: 'resetting' };
const label = (c: CloneRef) => `${c.id} (${c.name})`;

/** Offers Force Off for exactly the clones still running after Shut Down's wait; resolves when answered (and done). */
async function offerForceOff(ctx: CommandContext, still: readonly CloneRef[], seconds: number): Promise<void> {
  const msg = `Still running after ${seconds} s: ${still.map(label).join(', ')}. Their guests did not shut down.`;
  ctx.output.warn(msg);
  const action = await prompts.notify('warning', msg, 'Force Off');
  if (action !== 'Force Off') return;
  const { acquired } = ctx.tree.busy.acquire(still.map((c) => c.uuid), 'forcing off');
  try {
    const refs = still.filter((c) => acquired.includes(c.uuid));
    const r = await prompts.progress('Force off clones', refs.length, (signal, done) =>
      ctx.host.service.run('destroy', refs, { signal, onProgress: (p) => done(p.done) }),
    );
    summarize(ctx.output, 'Force off clones', r, [], uiSettings().quiet);
  } finally {
    ctx.tree.busy.release(acquired);
    ctx.tree.requestRefresh();
  }
}

/**
 * Shut Down, Reboot, Reset on the selection or a SET: clones they do not apply to are skipped with the reason;
 * Reset asks first. Shut Down waits (progress, Cancel) up to qq2clone.shutdownTimeout seconds with the clones
 * shown as "shutting down", then offers Force Off for those still running. Resolves when all of it is done.
 */
export async function powerClones(ctx: CommandContext, op: PowerOperation, node?: unknown, nodes?: unknown): Promise<PowerResult | undefined> {
  const title = TITLE[op];
  const targets = await chooseTargets(ctx, op, title, node, nodes);
  if (!targets) return undefined;
  if (targets.clones.length === 0) {
    void prompts.notify('warning', `${title}: nothing to do; skipped ${listSkips(targets.skipped)}.`);
    return undefined;
  }
  if (
    op === 'reset' &&
    !(await confirmDestructive('Reset', targets.clones, 'Each clone restarts at once, like pressing a reset button: what the guest had not written to disk is lost.'))
  ) {
    return undefined;
  }
  const { acquired, busy } = ctx.tree.busy.acquire(targets.clones.map((c) => c.uuid), BUSY[op]);
  const skipped: Skip[] = [...targets.skipped];
  for (const b of busy) skipped.push({ what: cloneWhat(targets.clones.find((x) => x.uuid === b.key)!), reason: `busy ${b.label}` });
  const refs = targets.clones.filter((c) => acquired.includes(c.uuid)).map(refOf);
  if (refs.length === 0) {
    void prompts.notify('warning', `${title}: nothing to do; skipped ${listSkips(skipped)}.`);
    return undefined;
  }
  const seconds = guestSettings().shutdownTimeoutSeconds;
  ctx.output.info(`${title}: ${refs.map((r) => `${r.template}#${r.id}`).join(', ')}`);
  let result: PowerResult;
  try {
    result = await prompts.progress(op === 'shutdown' ? `${title} (waiting up to ${seconds} s)` : title, refs.length, (signal, done) =>
      power(ctx.host.service, op, refs, { signal, timeoutMs: seconds * 1000, onProgress: (p) => done(p.done) }),
    );
  } catch (e) {
    const err = asQq2Error(e);
    ctx.output.error(`${title} failed: ${err.message}`);
    void prompts.notify('error', `${title} failed: ${err.message}`);
    return undefined;
  } finally {
    ctx.tree.busy.release(acquired);
    ctx.tree.requestRefresh();
  }
  summarize(ctx.output, title, result, skipped, uiSettings().quiet);
  if (result.stillRunning.length) await offerForceOff(ctx, result.stillRunning, seconds);
  return result;
}
