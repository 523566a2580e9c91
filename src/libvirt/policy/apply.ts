/**
 * Applying a clone's power-off policy once it has stopped: by the hook's worker (after the hook returned) or by
 * the extension from lifecycle events. The state and reason are asked of libvirt; reset touches only files (each
 * overlay made afresh on its backing image, under a temporary name, then renamed over the old one); remove is rm;
 * revert is the service's snapshot revert (its guard included).
 */
import type { LibvirtService } from '../api';
import { asQq2Error } from '../../core/errors';
import { imageStoreOf, type ImageStore } from '../storage';
import { tryVirshVia } from '../serviceCore';
import { parseDomain, type CloneMeta } from '../domain';
import { isInside } from '../storage';
import { appendPolicyLog, type PolicyLogEntry } from './log';
import { decide, describePolicy, reasonOfDomstate, type ShutoffReason } from '../../core/powerOffPolicy';

/**
 * Makes each overlay of a clone afresh on the image it is backed by: the guest's changes are gone, owner and mode
 * stay. Only overlays inside the storage the clone was made in; files only, no libvirt. Returns the files reset.
 */
export async function resetOverlays(images: ImageStore, meta: CloneMeta): Promise<string[]> {
  const done: string[] = [];
  for (const file of meta.overlays) {
    if (meta.storage && !isInside(file, meta.storage)) continue;
    if (!(await images.stat(file))?.isFile) continue;
    await images.resetOverlay(file);
    done.push(file);
  }
  return done;
}

export interface StoppedClone {
  readonly uuid: string;
  readonly name: string;
  readonly meta: CloneMeta;
}

export interface ApplyOptions {
  /** The reason libvirt gave with the stop (hook argument or event detail), when it gave one. */
  readonly reason?: ShutoffReason;
  readonly by: PolicyLogEntry['by'];
  /** Where the entry is appended (nothing is logged without it). */
  readonly logFile?: string;
  /** How long to wait for libvirt to report the domain off (it may still be finishing the stop). */
  readonly waitOffMs?: number;
  readonly signal?: AbortSignal;
}

async function stateOf(svc: LibvirtService, uuid: string, signal?: AbortSignal): Promise<string | undefined> {
  return (await tryVirshVia(svc, ['domstate', '--reason', uuid], signal))?.trim();
}

/**
 * Reads the clone's current bookkeeping (the persistent definition is what `policy` writes), state, reason and
 * saved state from libvirt, decides, acts and logs. Never throws: a failure is logged and returned as such.
 */
export async function applyPolicy(svc: LibvirtService, clone: StoppedClone, o: ApplyOptions): Promise<PolicyLogEntry> {
  let meta = clone.meta;
  let reason = o.reason;
  let entry: Omit<PolicyLogEntry, 'action' | 'detail'> = {
    time: new Date().toISOString(),
    uuid: clone.uuid,
    name: clone.name,
    template: meta.template,
    id: meta.id,
    reason: reason ?? 'unknown',
    policy: describePolicy(meta.policy),
    by: o.by,
  };
  let result: PolicyLogEntry;
  try {
    const inactive = await tryVirshVia(svc, ['dumpxml', '--inactive', clone.uuid], o.signal);
    if (inactive) meta = parseDomain(inactive).meta ?? meta;
    let state = await stateOf(svc, clone.uuid, o.signal);
    const until = Date.now() + (o.waitOffMs ?? 0);
    while (state !== undefined && reasonOfDomstate(state) === undefined && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      state = await stateOf(svc, clone.uuid, o.signal);
    }
    if (state === undefined) throw new Error('libvirt no longer knows the domain.');
    const off = reasonOfDomstate(state);
    reason ??= off;
    const info = (await tryVirshVia(svc, ['dominfo', clone.uuid], o.signal)) ?? '';
    const saved = /^Managed save:\s*yes/m.test(info);
    // Reset would drop the snapshots kept in the overlays: how many there are decides.
    const snapshots = meta.policy?.action === 'reset' ? (await svc.snapshots(clone.uuid, o.signal)).length : 0;
    entry = { ...entry, policy: describePolicy(meta.policy), reason: reason ?? 'unknown', template: meta.template, id: meta.id };
    const d = decide(meta.policy, reason, { saved, running: off === undefined, snapshots });
    const ref = { template: meta.template, id: meta.id, uuid: clone.uuid, name: clone.name };
    if (d.act === 'none') result = { ...entry, action: 'kept', detail: d.why };
    else if (d.act === 'revert') {
      const to = meta.policy!.snapshot!;
      const r = await svc.snapshot({ kind: 'revert', name: to }, [ref], o.signal ? { signal: o.signal } : {});
      const failed = r.failed[0]?.error.message ?? r.skipped[0]?.reason ?? (r.cancelled.length ? 'cancelled' : undefined);
      result = failed ? { ...entry, action: 'failed', detail: failed } : { ...entry, action: 'reverted', detail: `to snapshot ${to}` };
    }
    else if (d.act === 'reset') {
      const files = await resetOverlays(imageStoreOf(svc), meta);
      result = { ...entry, action: 'reset', detail: `made afresh: ${files.join(', ') || 'no overlay'}` };
    } else {
      const r = await svc.run('rm', [ref], o.signal ? { signal: o.signal } : {});
      const failed = r.failed[0]?.error.message ?? r.skipped[0]?.reason ?? (r.cancelled.length ? 'cancelled' : undefined);
      if (failed) result = { ...entry, action: 'failed', detail: failed };
      else result = { ...entry, action: 'removed', detail: `deleted ${meta.overlays.join(', ') || 'no overlay'}` };
    }
  } catch (e) {
    result = { ...entry, action: 'failed', detail: asQq2Error(e).message };
  }
  if (o.logFile) await appendPolicyLog(o.logFile, result).catch(() => undefined);
  return result;
}
