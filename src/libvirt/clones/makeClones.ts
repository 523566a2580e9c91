/**
 * Making clones: per template disk the image store makes a batch of qcow2 overlays (backing file = the template's
 * disk, with its format; the local-file store copies one prototype, much faster than one qemu-img per clone);
 * then the clone's XML is spliced from the template's and defined through a session, and started if asked.
 * All-or-nothing per clone: on failure or cancel, what that clone made is removed. Template disks are only read.
 * The batch reports every clone asked for as made, failed (with its error) or cancelled; a failure of one clone
 * does not stop the others. A batch holds its template's lock, so batches of one template (in any process) take
 * distinct numbers; the MACs it gives are new on the whole connection.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { CancelledError, TemplateError, UsageError, asQq2Error, type Qq2Error } from '../../core/errors';
import { cloneCountProblem } from '../../core/cloneCount';
import type { CloneBatchResult, CloneFailure, CloneInfo, CloneOptions } from '../api';
import type { ServiceCore } from '../serviceCore';
import { readDomains } from './inventory';
import { forEachBounded } from '../../core/limit';
import { explainStartFailure } from './setOperations';
import { cloneXml, clonableDisks, parseDomain, type DiskInfo } from '../domain';
import { explainNoSpace, openImageStore, type ImageStore, type OverlayBatch, type StorageDir } from '../storage';
import { readTemplate } from '../templates';
import { identityOf, templatePolicyOf, withIdentity, type AppliedIdentity, type IdentitySetting } from '../domain';
import { connectionMacs } from './macs';
import { DEFAULT_CLONE_CONCURRENCY } from '../virsh';

/** A new clone whose identity is to be written (before it is defined). */
export interface IdentityTarget {
  readonly template: string;
  readonly id: number;
  readonly name: string;
  readonly uuid: string;
  readonly disks: readonly string[];
}

export interface CloneDeps extends ServiceCore {
  defineXml(xml: string, signal?: AbortSignal): Promise<string>;
  withTemplateLock<T>(names: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /**
   * Writes the identity of new clones into their overlays (one appliance per group of them); by UUID what was
   * applied or why not; clones missing from the map were cancelled. `onGroupWritten` gets each group's part as soon
   * as its appliance has released the overlays. Absent: templates with identity on cannot be cloned.
   */
  writeCloneIdentities?(
    clones: readonly IdentityTarget[],
    templateXml: string,
    setting: IdentitySetting,
    signal?: AbortSignal,
    onGroupWritten?: (written: ReadonlyMap<string, { readonly applied: AppliedIdentity } | Qq2Error>) => Promise<void>,
  ): Promise<Map<string, { readonly applied: AppliedIdentity } | Qq2Error>>;
}

/** A random locally administered MAC in QEMU's range 52:54:00, different from those in `used`. */
export function randomMac(used: Set<string>): string {
  for (;;) {
    const b = randomBytes(3);
    const mac = `52:54:00:${[...b].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
    if (!used.has(mac)) {
      used.add(mac);
      return mac;
    }
  }
}

/** The name of clone `id` of `template`. */
export function cloneName(template: string, id: number): string {
  return `${template}-${id}`;
}

function overlayPath(s: StorageDir, name: string, disk: DiskInfo): string {
  return path.join(s.dir, `${name}-${disk.target ?? `disk${disk.index}`}.qcow2`);
}

/**
 * Undoes a half-made clone: no domain without its overlay, no overlay without its domain. A cancelled define or
 * start may still have reached libvirtd: undone by UUID (ours alone) either way. When the domain cannot be
 * undefined its overlays are kept (a defined domain without its disk is worse than a left-over). Resolves to what
 * is left behind and what to do about it, or undefined when nothing is.
 */
async function undoClone(core: ServiceCore, images: ImageStore, uuid: string, name: string, overlays: readonly string[]): Promise<string | undefined> {
  const exists = () => core.virsh(['domstate', uuid]).then(() => true, () => false);
  await core.virsh(['destroy', uuid]).catch(() => undefined); // fails when it does not run: the undefine tells
  const undefined_ = await core.virsh(['undefine', uuid, '--managed-save', '--nvram']).then(
    () => undefined,
    (e: unknown) => asQq2Error(e),
  );
  core.metaCache.delete(uuid);
  if (undefined_ && (await exists())) {
    return `Undoing it failed too (${undefined_.message}): domain ${name} (${uuid}) is still defined and its overlay(s) ${overlays.join(', ')} were kept; remove it with virsh undefine ${uuid} and delete them, or run qq2clone check.`;
  }
  const kept: string[] = [];
  for (const f of overlays) await images.delete(f).catch((e: unknown) => kept.push(`${f} (${asQq2Error(e).message})`));
  return kept.length ? `Undoing it could not delete ${kept.join(', ')}: delete it by hand or run qq2clone check.` : undefined;
}

/**
 * Makes `count` clones of `template`. Throws only when nothing could be made at all (no template, a missing template
 * disk, unusable storage, the shared overlay could not be made); otherwise every clone asked for is in exactly one
 * list of the result. Cancelled before any clone began: nothing made, all `count` cancelled.
 */
export async function makeClones(core: CloneDeps, template: string, count: number, o: CloneOptions = {}): Promise<CloneBatchResult> {
  const problem = cloneCountProblem(String(count));
  if (problem) throw new UsageError(problem);
  const images = openImageStore(core);
  try {
    // Under the template's lock (across processes): numbers are chosen and taken (defined) before another batch of
    // this template, here or in another process, looks for free ones.
    return await core.withTemplateLock(template, () => cloneBatch(core, images, template, count, o), o.signal);
  } catch (e) {
    if (o.signal?.aborted) return { made: [], failed: [], cancelled: count };
    throw e;
  }
}

/**
 * The all-or-error form (CLI, scripts): the clones made when all were; otherwise throws, the message counting what
 * was made (those clones exist): CancelledError after a cancel, else the first failure's error.
 */
export function allMade(r: CloneBatchResult, count: number, signal?: AbortSignal): CloneInfo[] {
  // What undoing failed clones left behind is said whatever else happened.
  const behind = r.failed.filter((f) => f.leftBehind).map((f) => `Clone ${f.id} (${f.name}): ${f.leftBehind}`);
  if (r.cancelled || signal?.aborted)
    throw new CancelledError(`Cancelled after ${r.made.length} of ${count} clones were made.${behind.length ? ` ${behind.join(' ')}` : ''}`);
  const first = r.failed[0];
  if (first) {
    const what = behind.length ? `${behind.length} of them left something behind` : 'left nothing behind';
    const others = behind.filter((b) => !b.startsWith(`Clone ${first.id} `));
    first.error.message = `${r.made.length} of ${count} clones were made; ${r.failed.length} failed and ${what}: ${first.error.message}${others.length ? ` ${others.join(' ')}` : ''}`;
    throw first.error;
  }
  return [...r.made];
}

interface Planned {
  readonly id: number;
  readonly name: string;
  readonly overlays: Map<number, string>;
}

async function cloneBatch(core: CloneDeps, images: ImageStore, template: string, count: number, o: CloneOptions): Promise<CloneBatchResult> {
  const signal = o.signal;
  const xml = await readTemplate(core.config.templateDir, template);
  const parsed = parseDomain(xml);
  const disks = clonableDisks(parsed);
  // The template's default power-off policy, inherited by each new clone.
  const policy = templatePolicyOf(parsed);
  // The template's identity setting: each clone gets its own hostname, machine-id and host keys before it first starts.
  const identity = identityOf(xml).setting;
  for (const d of disks)
    if (!(await images.exists(d.source!))) throw new TemplateError(`Template ${template}: disk ${d.source} does not exist.`);
  const storage = await images.locate(o.storage ?? core.config.storage, signal);
  // Before any overlay is made: a check on another connection then reads this one before deleting anything there.
  await images.recordUse(storage, core.config.uri);
  const domains = await readDomains(core, signal);
  const names = new Set(domains.map((d) => d.name));
  const usedIds = new Set(domains.filter((d) => d.meta?.template === template).map((d) => d.meta!.id));
  const plan: Planned[] = [];
  // The lowest free numbers; the overlay names of as many as are missing are looked up at once (pipelined on the
  // connection's sessions: on another host, not one round trip after another).
  for (let id = 1; plan.length < count; ) {
    const candidates: Planned[] = [];
    for (; candidates.length < count - plan.length; id++) {
      const name = cloneName(template, id);
      if (usedIds.has(id) || names.has(name)) continue;
      candidates.push({ id, name, overlays: new Map(disks.map((d) => [d.index, overlayPath(storage, name, d)] as const)) });
    }
    const taken = await Promise.all(candidates.map(async (c) => (await Promise.all([...c.overlays.values()].map((p) => images.exists(p)))).some(Boolean)));
    plan.push(...candidates.filter((_, i) => !taken[i]));
  }
  // The sessions the defines will use connect while the MACs are read and the overlays made.
  core.warmSessions?.(Math.min(plan.length, o.concurrency ?? DEFAULT_CLONE_CONCURRENCY));
  // One batch of overlays per disk (the store makes them quickly one after the other).
  const batches = new Map<number, OverlayBatch>();
  // New MACs differ from those of every domain on the connection, and from each other.
  const macs = await connectionMacs(core, signal);
  const made: CloneInfo[] = [];
  const failed: CloneFailure[] = [];
  let done = 0;
  try {
    for (const d of disks) {
      const o = { ...(d.format ? { backingFormat: d.format } : {}), ...(signal ? { signal } : {}) };
      batches.set(d.index, await images.overlayBatch(d.source!, storage.dir, o).catch(async (e: unknown) => Promise.reject(await explainNoSpace(e, images, storage.dir))));
    }
    const madeOverlays = new Map<number, { uuid: string; copied: string[] }>();
    const fail = async (p: Planned, uuid: string, copied: readonly string[], e: unknown) => {
      const err = asQq2Error(await explainNoSpace(e, images, storage.dir));
      const left = await undoClone(core, images, uuid, p.name, copied);
      if (left) err.message = `${err.message}. ${left}`;
      // A clone interrupted by the cancel counts as cancelled (undone like any other), unless undoing it failed.
      if (left || (!(err instanceof CancelledError) && !signal?.aborted))
        failed.push({ template, id: p.id, name: p.name, error: err, ...(left ? { leftBehind: left } : {}) });
    };
    const overlaysOf = async (p: Planned, copied: string[]) => {
      for (const [index, target] of p.overlays) {
        await batches.get(index)!.make(target, signal);
        copied.push(target);
      }
      if (signal?.aborted) throw new CancelledError();
    };
    const defineAndStart = async (p: Planned, uuid: string, applied?: AppliedIdentity) => {
      let text = cloneXml(xml, {
        name: p.name,
        uuid,
        mac: () => randomMac(macs),
        overlays: p.overlays,
        meta: { template, id: p.id, overlays: [...p.overlays.values()], storage: storage.dir, ...(policy ? { policy } : {}) },
      });
      if (identity && applied) text = withIdentity(text, identity, applied);
      await core.defineXml(text, signal);
      if (o.run) await core.virsh(['start', uuid], signal).catch((e: unknown) => Promise.reject(explainStartFailure(e, { template, id: p.id, uuid, name: p.name })));
      made.push({ template, id: p.id, name: p.name, uuid, state: o.run ? 'running' : 'off', reason: o.run ? 'booted' : 'unknown', saved: false, storage: storage.dir });
    };
    const progress = (p: Planned, uuid: string) => o.onProgress?.({ done: ++done, total: plan.length, item: { template, id: p.id, uuid, name: p.name } });
    await forEachBounded(
      plan,
      o.concurrency ?? DEFAULT_CLONE_CONCURRENCY,
      async (p) => {
        const uuid = randomUUID();
        const copied: string[] = [];
        try {
          await overlaysOf(p, copied);
          // With identity on, each clone is defined once its identity is in its overlays (below).
          if (identity) madeOverlays.set(p.id, { uuid, copied });
          else await defineAndStart(p, uuid);
        } catch (e) {
          await fail(p, uuid, copied, e);
        }
        if (!identity) progress(p, uuid);
      },
      signal,
    );
    if (identity && madeOverlays.size) {
      const targets = plan.filter((p) => madeOverlays.has(p.id)).map((p) => ({ template, id: p.id, name: p.name, uuid: madeOverlays.get(p.id)!.uuid, disks: [...p.overlays.values()] }));
      const handled = new Set<string>();
      // Each clone is defined (and started) once its group's appliance has released its overlays, not after all.
      const defineWritten = async (written: ReadonlyMap<string, { readonly applied: AppliedIdentity } | Qq2Error>) => {
        for (const p of plan) {
          const m = madeOverlays.get(p.id);
          if (!m || handled.has(m.uuid) || !written.has(m.uuid)) continue;
          handled.add(m.uuid);
          const w = written.get(m.uuid)!;
          try {
            if (signal?.aborted) throw new CancelledError();
            // Not started (not even defined) without its identity: a clone that passes for its template is the problem.
            if (w instanceof Error) throw w;
            await defineAndStart(p, m.uuid, w.applied);
          } catch (e) {
            await fail(p, m.uuid, m.copied, e);
          }
          progress(p, m.uuid);
        }
      };
      const written = core.writeCloneIdentities
        ? await core.writeCloneIdentities(targets, xml, identity, signal, defineWritten).catch((e: unknown) => new Map(targets.map((t) => [t.uuid, asQq2Error(e)])))
        : new Map(targets.map((t) => [t.uuid, new TemplateError(`Template ${template} gives its clones an identity, which this service cannot write.`)]));
      // The rest: failed or cancelled before their group was done (missing from the map: cancelled).
      for (const p of plan) {
        const m = madeOverlays.get(p.id);
        if (!m || handled.has(m.uuid)) continue;
        await defineWritten(new Map([[m.uuid, written.get(m.uuid) ?? new CancelledError()]]));
      }
    }
  } finally {
    for (const b of batches.values()) await b.close();
    await images.changed(storage);
  }
  // The rest were interrupted by the cancel or never begun (the plan always has `count` entries: ids are unbounded).
  const cancelled = count - made.length - failed.length;
  return { made: made.sort((a, b) => a.id - b.id), failed: failed.sort((a, b) => a.id - b.id), cancelled };
}
