/**
 * Making clones: per template disk one qcow2 overlay (backing file = the template's disk, with its format) is made
 * once per batch with qemu-img and copied for every clone (copying is much faster than one qemu-img per clone);
 * then the clone's XML is spliced from the template's and defined through a session, and started if asked.
 * All-or-nothing per clone: on failure or cancel, what that clone made is removed. Template disks are only read.
 * The batch reports every clone asked for as made, failed (with its error) or cancelled; a failure of one clone
 * does not stop the others.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CancelledError, TemplateError, asQq2Error } from '../core/errors';
import type { CloneBatchResult, CloneFailure, CloneInfo, CloneOptions } from './api';
import type { ServiceCore } from './core';
import { readDomains } from './inventory';
import { forEachBounded } from './limit';
import { explainStartFailure } from './operations';
import { cloneXml, clonableDisks, parseDomain, type DiskInfo } from './splice';
import { refreshPool, resolveStorage, type StorageDir } from './storage';
import { readTemplate } from './templates';
import { templatePolicyOf } from './policy/meta';

export interface CloneDeps extends ServiceCore {
  defineXml(xml: string, signal?: AbortSignal): Promise<string>;
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

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

function overlayPath(s: StorageDir, name: string, disk: DiskInfo): string {
  return path.join(s.dir, `${name}-${disk.target ?? `disk${disk.index}`}.qcow2`);
}

async function backingFormat(core: ServiceCore, disk: DiskInfo, signal?: AbortSignal): Promise<string> {
  if (disk.format) return disk.format;
  const info = JSON.parse(await core.tool('qemu-img', ['info', '-U', '--output=json', disk.source!], signal)) as { format?: string };
  return info.format ?? 'raw';
}

/**
 * Makes `count` clones of `template`. Throws only when nothing could be made at all (no template, a missing template
 * disk, unusable storage, the shared overlay could not be made); otherwise every clone asked for is in exactly one
 * list of the result. Cancelled before any clone began: nothing made, all `count` cancelled.
 */
export async function makeClones(core: CloneDeps, template: string, count: number, o: CloneOptions = {}): Promise<CloneBatchResult> {
  try {
    return await cloneBatch(core, template, count, o);
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
  if (r.cancelled || signal?.aborted) throw new CancelledError(`Cancelled after ${r.made.length} of ${count} clones were made.`);
  const first = r.failed[0]?.error;
  if (first) {
    first.message = `${r.made.length} of ${count} clones were made; ${r.failed.length} failed and left nothing behind: ${first.message}`;
    throw first;
  }
  return [...r.made];
}

async function cloneBatch(core: CloneDeps, template: string, count: number, o: CloneOptions): Promise<CloneBatchResult> {
  const signal = o.signal;
  const xml = await readTemplate(core.config.templateDir, template);
  const parsed = parseDomain(xml);
  const disks = clonableDisks(parsed);
  // The template's default power-off policy, inherited by each new clone.
  const policy = templatePolicyOf(parsed);
  for (const d of disks)
    if (!(await exists(d.source!))) throw new TemplateError(`Template ${template}: disk ${d.source} does not exist.`);
  const storage = await resolveStorage(core, o.storage ?? core.config.storage, signal);
  const domains = await readDomains(core, signal);
  const names = new Set(domains.map((d) => d.name));
  const usedIds = new Set(domains.filter((d) => d.meta?.template === template).map((d) => d.meta!.id));
  const plan: { id: number; name: string; overlays: Map<number, string> }[] = [];
  for (let id = 1; plan.length < count; id++) {
    if (usedIds.has(id)) continue;
    const name = cloneName(template, id);
    if (names.has(name)) continue;
    const overlays = new Map(disks.map((d) => [d.index, overlayPath(storage, name, d)] as const));
    let free = true;
    for (const p of overlays.values()) if (await exists(p)) free = false;
    if (free) plan.push({ id, name, overlays });
  }
  // One prototype overlay per disk, copied for every clone.
  const protos = new Map<number, string>();
  const macs = new Set<string>();
  const made: CloneInfo[] = [];
  const failed: CloneFailure[] = [];
  let done = 0;
  try {
    for (const d of disks) {
      const proto = path.join(storage.dir, `.q2c-proto-${randomBytes(6).toString('hex')}.qcow2`);
      protos.set(d.index, proto);
      const fmt = await backingFormat(core, d, signal);
      await core.tool('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', fmt, '-b', d.source!, proto], signal);
    }
    await forEachBounded(
      plan,
      o.concurrency ?? 4,
      async (p) => {
        const uuid = randomUUID();
        const copied: string[] = [];
        try {
          for (const [index, target] of p.overlays) {
            await fs.copyFile(protos.get(index)!, target, fs.constants.COPYFILE_EXCL);
            copied.push(target);
          }
          if (signal?.aborted) throw new CancelledError();
          const text = cloneXml(xml, {
            name: p.name,
            uuid,
            mac: () => randomMac(macs),
            overlays: p.overlays,
            meta: { template, id: p.id, overlays: [...p.overlays.values()], storage: storage.dir, ...(policy ? { policy } : {}) },
          });
          await core.defineXml(text, signal);
          if (o.run) await core.virsh(['start', uuid], signal).catch((e: unknown) => Promise.reject(explainStartFailure(e, { template, id: p.id, uuid, name: p.name })));
          made.push({ template, id: p.id, name: p.name, uuid, state: o.run ? 'running' : 'off', reason: o.run ? 'booted' : 'unknown', saved: false, storage: storage.dir });
        } catch (e) {
          // Undo this clone: no domain without its overlay, no overlay without its domain.
          // A cancelled define or start may still have reached libvirtd: undo by UUID (ours alone) either way.
          await core.virsh(['destroy', uuid]).catch(() => undefined);
          await core.virsh(['undefine', uuid, '--managed-save', '--nvram']).catch(() => undefined);
          core.metaCache.delete(uuid);
          for (const f of copied) await fs.rm(f, { force: true });
          const err = asQq2Error(e);
          // A clone interrupted by the cancel counts as cancelled (undone like any other).
          if (!(err instanceof CancelledError) && !signal?.aborted) failed.push({ template, id: p.id, name: p.name, error: err });
        }
        o.onProgress?.({ done: ++done, total: plan.length, item: { template, id: p.id, uuid, name: p.name } });
      },
      signal,
    );
  } finally {
    for (const proto of protos.values()) await fs.rm(proto, { force: true });
    await refreshPool(core, storage);
  }
  // The rest were interrupted by the cancel or never begun (the plan always has `count` entries: ids are unbounded).
  const cancelled = count - made.length - failed.length;
  return { made: made.sort((a, b) => a.id - b.id), failed: failed.sort((a, b) => a.id - b.id), cancelled };
}
