/**
 * Applying a clone's power-off policy once it has stopped: by the hook's worker (after the hook returned) or by
 * the extension from lifecycle events. Under the clone's lock (shared with every front end on the connection), the
 * state, reason and bookkeeping are asked of libvirt, the overlays are checked (trust.ts: the bookkeeping alone is
 * never trusted), then the action runs: reset makes each overlay afresh on its backing image (store.resetOverlay),
 * remove is rm of the domain and of the checked files only, revert is the snapshot revert (its guard included).
 */
import type { LibvirtService } from '../api';
import { asQq2Error, LibvirtUnavailableError } from '../../core/errors';
import { localImageStore, type ImageStore } from '../storage';
import { tryVirshVia, virshVia, type ServiceCore } from '../serviceCore';
import { parseDomain, type CloneMeta } from '../domain';
import { removeHeldClone } from '../clones';
import { runHeldSnapshotAction } from '../snapshots';
import { appendPolicyLog, type PolicyLogEntry } from './log';
import { verifyOverlays, type PolicyTrust } from './trust';
import { decide, describePolicy, reasonOfDomstate, type Decision, type ShutoffReason } from '../../core/powerOffPolicy';

/** Makes each of these checked overlays afresh on the image it is backed by; owner and mode stay. Returns them. */
export async function resetOverlays(images: ImageStore, files: readonly string[], trust: PolicyTrust): Promise<string[]> {
  for (const file of files) await images.resetOverlay(file, { within: trust.storage });
  return [...files];
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
  /** What the policy may touch (see trust.ts). */
  readonly trust: PolicyTrust;
  /** Where the entry is appended (nothing is logged without it). */
  readonly logFile?: string;
  /** How long to wait for libvirt to report the domain off (it may still be finishing the stop). */
  readonly waitOffMs?: number;
  /** Tries again while libvirt does not answer (a daemon restarting), waiting `pauseMs` between tries. */
  readonly retry?: { readonly tries: number; readonly pauseMs: number };
  readonly signal?: AbortSignal;
}

type Entry = Omit<PolicyLogEntry, 'action' | 'detail'>;

/** What each decided action does with the checked files: one row per action. */
const ACTIONS: Record<
  Exclude<Decision['act'], 'none'>,
  (svc: LibvirtService, uuid: string, files: readonly string[], o: ApplyOptions, meta: CloneMeta) => Promise<Pick<PolicyLogEntry, 'action' | 'detail'>>
> = {
  async reset(svc, _uuid, files, o) {
    const done = await resetOverlays(localImageStore(svc, 'A power-off policy'), files, o.trust);
    return { action: 'reset', detail: `made afresh: ${done.join(', ') || 'no overlay'}` };
  },
  async remove(svc, uuid, files, o) {
    await removeHeldClone(svc as unknown as ServiceCore, uuid, files, o.trust.storage, o.signal);
    return { action: 'removed', detail: `deleted ${files.join(', ') || 'no overlay'}` };
  },
  // Under the clone's lock already held here: the snapshot revert without taking it again.
  async revert(svc, uuid, _files, o, meta) {
    const to = meta.policy?.snapshot;
    if (!to) return { action: 'failed', detail: 'the policy names no snapshot to revert to' };
    const ref = { template: meta.template, id: meta.id, uuid, name: uuid };
    const r = await runHeldSnapshotAction(svc as unknown as ServiceCore, { kind: 'revert', name: to }, [ref], o.signal ? { signal: o.signal } : {});
    const failed = r.failed[0]?.error.message ?? r.skipped[0]?.reason ?? (r.cancelled.length ? 'cancelled' : undefined);
    return failed ? { action: 'failed', detail: failed } : { action: 'reverted', detail: `to snapshot ${to}` };
  },
};

/** The state and reason; undefined when libvirt does not know the domain (a daemon that does not answer throws). */
async function stateOf(svc: LibvirtService, uuid: string, signal?: AbortSignal): Promise<string | undefined> {
  return (
    await virshVia(svc, ['domstate', '--reason', uuid], signal).catch((e: unknown) => {
      if (e instanceof LibvirtUnavailableError) throw e;
      return undefined;
    })
  )?.trim();
}

async function decideAndAct(svc: LibvirtService, clone: StoppedClone, o: ApplyOptions, entry: Entry): Promise<PolicyLogEntry> {
  const inactive = await virshVia(svc, ['dumpxml', '--inactive', clone.uuid], o.signal).catch((e: unknown) => {
    if (e instanceof LibvirtUnavailableError) throw e;
    return undefined;
  });
  if (!inactive) throw new Error('libvirt no longer knows the domain.');
  const d = parseDomain(inactive);
  const meta = d.meta;
  if (!meta) return { ...entry, action: 'kept', detail: 'it has no qq2clone bookkeeping any more' };
  let state = await stateOf(svc, clone.uuid, o.signal);
  const until = Date.now() + (o.waitOffMs ?? 0);
  while (state !== undefined && reasonOfDomstate(state) === undefined && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    state = await stateOf(svc, clone.uuid, o.signal);
  }
  if (state === undefined) throw new Error('libvirt no longer knows the domain.');
  const off = reasonOfDomstate(state);
  const reason = o.reason ?? off;
  const info = (await tryVirshVia(svc, ['dominfo', clone.uuid], o.signal)) ?? '';
  const saved = /^Managed save:\s*yes/m.test(info);
  const now: Entry = { ...entry, policy: describePolicy(meta.policy), reason: reason ?? 'unknown', template: meta.template, id: meta.id };
  // Reset would drop the snapshots kept in the overlays: how many there are decides.
  const snapshots = meta.policy?.action === 'reset' ? (await svc.snapshots(clone.uuid, o.signal)).length : 0;
  const dec = decide(meta.policy, reason, { saved, running: off === undefined, snapshots });
  if (dec.act === 'none') return { ...now, action: 'kept', detail: dec.why };
  const checked = await verifyOverlays(localImageStore(svc, 'A power-off policy'), o.trust, d, meta);
  if (!checked.ok) return { ...now, action: 'refused', detail: checked.why };
  return { ...now, ...(await ACTIONS[dec.act](svc, clone.uuid, checked.files, o, meta)) };
}

/**
 * Runs `work`; while it fails because libvirt does not answer (LibvirtUnavailableError: a daemon restarting, whose
 * sessions are lost), runs it again after a pause, `tries` times in all; then the last error is thrown.
 */
export async function whileUnavailable<T>(work: () => Promise<T>, retry: { readonly tries: number; readonly pauseMs: number } = { tries: 1, pauseMs: 0 }): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof LibvirtUnavailableError) || i >= retry.tries) throw e;
      await new Promise((r) => setTimeout(r, retry.pauseMs));
    }
  }
}

/**
 * Under the clone's lock: reads the clone's current bookkeeping (the persistent definition is what `policy`
 * writes), state, reason and saved state from libvirt, decides, checks the files (trust.ts), acts and logs. Never
 * throws: a failure is logged and returned as such.
 */
export async function applyPolicy(svc: LibvirtService, clone: StoppedClone, o: ApplyOptions): Promise<PolicyLogEntry> {
  const entry: Entry = {
    time: new Date().toISOString(),
    uuid: clone.uuid,
    name: clone.name,
    template: clone.meta.template,
    id: clone.meta.id,
    reason: o.reason ?? 'unknown',
    policy: describePolicy(clone.meta.policy),
    by: o.by,
  };
  let result: PolicyLogEntry;
  try {
    result = await whileUnavailable(() => svc.withCloneLock(clone.uuid, () => decideAndAct(svc, clone, o, entry), o.signal), o.retry);
  } catch (e) {
    const tries = o.retry && e instanceof LibvirtUnavailableError ? ` (tried ${o.retry.tries} times)` : '';
    result = { ...entry, action: 'failed', detail: `${asQq2Error(e).message}${tries}` };
  }
  if (o.logFile) await appendPolicyLog(o.logFile, result).catch(() => undefined);
  return result;
}

/**
 * A "Stopped" lifecycle event of the domain named `domain` (the extension's enforcer): the domain is looked up by
 * name (after `--`), then by UUID only; a domain that is not ours, or has no policy, is left alone (undefined).
 */
export async function applyPolicyOnStop(svc: LibvirtService, domain: string, o: ApplyOptions): Promise<PolicyLogEntry | undefined> {
  const uuid = (await tryVirshVia(svc, ['domuuid', '--', domain], o.signal))?.trim();
  if (!uuid) return undefined;
  const xml = await virshVia(svc, ['dumpxml', '--inactive', uuid], o.signal).catch(() => undefined);
  const d = xml ? parseDomain(xml) : undefined;
  if (!d?.meta?.policy) return undefined;
  return applyPolicy(svc, { uuid, name: d.name ?? domain, meta: d.meta }, o);
}
