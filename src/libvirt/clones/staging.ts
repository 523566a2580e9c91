/**
 * modify-template prepare-image / destroy-image / discard-image / commit-image. The staging clone (id 0, marked
 * staging in its metadata) is an overlay on the template's current image. commit-image never writes an image that
 * clones are based on: it flattens the staging overlay into a new read-only generation and points the template at
 * it; existing clones keep the generation they were made from, and an old generation we made is deleted only when
 * nothing uses it any more.
 */
import * as path from 'node:path';
import { UsageError } from '../../core/errors';
import type { CloneInfo, LibvirtService } from '../api';
import { randomUUID } from 'node:crypto';
import { isActive } from '../../core/operations';
import { randomMac } from './makeClones';
import { connectionMacs } from './macs';
import { cloneXml, clonableDisks, overlayDisks, parseDomain } from '../domain';
import { forgetDomain, tryVirshVia, virshBatchVia, virshVia } from '../serviceCore';
import { generationFilesOf, unusedGenerations } from '../templates';
import { backingChain, explainNoSpace, generationDir, generationOf, generationPath, imageStoreOf, isOurGeneration, localImageStore } from '../storage';
import { isInside } from '../storage';
import { recordConnection, storageDir } from '../storage';
import { DomainDoc } from '../domain';
import { requireTemplate } from '../templates';
import { explainLock } from '../storage';

/** The libvirt name of a template's staging clone. */
export function stagingName(template: string): string {
  return `${template}-staging`;
}

/** The template's staging clone, if there is one. */
export async function findStaging(svc: LibvirtService, template: string, signal?: AbortSignal): Promise<CloneInfo | undefined> {
  return (await svc.inventory(signal)).clones.find((c) => c.template === template && c.staging);
}

async function requireStaging(svc: LibvirtService, template: string, signal?: AbortSignal): Promise<CloneInfo> {
  await requireTemplate(svc, template);
  const s = await findStaging(svc, template, signal);
  if (!s) throw new UsageError(`Template ${template} has no staging image: run modify-template ${template} prepare-image first.`);
  return s;
}

/** Has a QEMU process (the one definition of active, core/operations.ts): destroy it before it is undefined. */
const active = (c: CloneInfo): boolean => isActive(c.state);

/**
 * Runs `work` on the template's staging clone under the template's lock and then the staging clone's, with its state
 * read again under them (across processes nothing else changes either meanwhile).
 */
async function withStaging<T>(svc: LibvirtService, template: string, signal: AbortSignal | undefined, work: (s: CloneInfo) => Promise<T>): Promise<T> {
  return svc.withTemplateLock(
    template,
    async () => {
      const first = await requireStaging(svc, template, signal);
      return svc.withCloneLock(first.uuid, async () => work(await requireStaging(svc, template, signal)), signal);
    },
    signal,
  );
}

/** prepare-image: makes the staging clone if needed, and runs it. Returns it and whether it was made now. */
export async function prepareImage(
  svc: LibvirtService,
  template: string,
  signal?: AbortSignal,
): Promise<{ staging: CloneInfo; created: boolean }> {
  localImageStore(svc, 'prepare-image'); // its overlay is a file of this machine, before anything
  return svc.withTemplateLock(template, () => prepareLocked(svc, template, signal), signal);
}

async function prepareLocked(svc: LibvirtService, template: string, signal?: AbortSignal): Promise<{ staging: CloneInfo; created: boolean }> {
  await requireTemplate(svc, template);
  const found = await findStaging(svc, template, signal);
  if (found) {
    return svc.withCloneLock(
      found.uuid,
      async () => {
        const existing = (await findStaging(svc, template, signal)) ?? found;
        if (!active(existing)) {
          await virshVia(svc, ['start', existing.uuid], signal).catch((e: unknown) => {
            throw explainLock(e, template);
          });
        }
        return { staging: (await findStaging(svc, template, signal)) ?? existing, created: false };
      },
      signal,
    );
  }
  const used = await connectionMacs({ virshBatch: (c, sg, sp) => virshBatchVia(svc, c, sg, sp) }, signal);
  const xml = await svc.templateXml(template);
  const disks = clonableDisks(parseDomain(xml));
  const dir = await storageDir(svc, signal);
  await recordConnection(dir, svc.config.uri);
  const name = stagingName(template);
  const overlays = new Map<number, string>();
  const made: string[] = [];
  const uuid = randomUUID();
  const images = imageStoreOf(svc);
  try {
    for (const d of disks) {
      // A name no file has: an existing file is never replaced (it may be the overlay of another domain, e.g. a
      // staging clone renamed with its template keeps its overlay's name, or a left-over that check reports).
      const overlay = await images.reserveName(dir, `${name}-${d.target ?? `disk${d.index}`}`);
      made.push(overlay);
      overlays.set(d.index, overlay);
      await images.createOverlay(d.source!, overlay, signal ? { signal } : {});
    }
    const text = cloneXml(xml, {
      name,
      uuid,
      mac: () => randomMac(used),
      overlays,
      meta: { template, id: 0, overlays: made, storage: dir, staging: true },
    });
    await svc.defineXml(text, signal);
    await virshVia(svc, ['start', uuid], signal).catch((e: unknown) => {
      throw explainLock(e, template);
    });
  } catch (e) {
    await tryVirshVia(svc, ['destroy', uuid]);
    await tryVirshVia(svc, ['undefine', uuid, '--managed-save', '--nvram']);
    forgetDomain(svc, uuid);
    for (const f of made) await images.delete(f);
    throw await explainNoSpace(e, images, dir);
  }
  const staging = await findStaging(svc, template, signal);
  if (!staging) throw new UsageError(`The staging clone ${stagingName(template)} was defined but is not listed as ours.`);
  return { staging, created: true };
}

/** destroy-image: forces the staging clone off (like pulling the plug: the caller warns first). */
export async function destroyImage(svc: LibvirtService, template: string, signal?: AbortSignal): Promise<void> {
  await withStaging(svc, template, signal, async (s) => {
    if (!active(s)) throw new UsageError(`The staging image of ${template} is not running (it is ${s.state}).`);
    await virshVia(svc, ['destroy', s.uuid], signal);
  });
}

/** discard-image: deletes the staging clone and its overlays (only files in our storage). */
export async function discardImage(svc: LibvirtService, template: string, signal?: AbortSignal): Promise<string[]> {
  localImageStore(svc, 'discard-image'); // deletes files of this machine, before anything
  return withStaging(svc, template, signal, (s) => removeStaging(svc, s, signal));
}

async function removeStaging(svc: LibvirtService, s: CloneInfo, signal?: AbortSignal): Promise<string[]> {
  const dir = await storageDir(svc, signal);
  const d = parseDomain(await virshVia(svc, ['dumpxml', '--inactive', s.uuid], signal));
  // Only its own overlays (its bookkeeping names them) that it still uses, inside the storage they were made in.
  const disks = new Set(overlayDisks(d).map((k) => path.resolve(k.source!)));
  const made = d.meta?.storage ?? dir;
  const own = (d.meta?.overlays ?? []).map((f) => path.resolve(f)).filter((f) => disks.has(f) && isInside(f, made));
  if (active(s)) await virshVia(svc, ['destroy', s.uuid], signal);
  await virshVia(svc, ['undefine', s.uuid, '--managed-save', '--nvram'], signal);
  forgetDomain(svc, s.uuid);
  const removed: string[] = [];
  const images = imageStoreOf(svc);
  for (const f of own) {
    await images.delete(f);
    removed.push(f);
  }
  return removed;
}

export interface CommitResult {
  /** The new images, per disk target. */
  readonly images: readonly { target: string; image: string; generation: number }[];
  /** Old generation images deleted because nothing used them any more. */
  readonly deleted: readonly string[];
  /** How many existing clones keep the previous generation. */
  readonly clonesOnOldImage: number;
  /** Why previous generation images were all kept (something could not be read, so they may still be in use). */
  readonly kept?: string;
}

/**
 * commit-image: the staged changes become the template's new image generation; the staging clone goes away.
 * Requires the staging clone to be shut off (a running or saved guest has changes not yet on disk).
 */
export async function commitImage(svc: LibvirtService, template: string, signal?: AbortSignal): Promise<CommitResult> {
  localImageStore(svc, 'commit-image'); // writes and deletes files of this machine, before anything
  return withStaging(svc, template, signal, (s) => commitLocked(svc, template, s, signal));
}

async function commitLocked(svc: LibvirtService, template: string, s: CloneInfo, signal?: AbortSignal): Promise<CommitResult> {
  if (active(s)) {
    throw new UsageError(`The staging image of ${template} is ${s.state}: shut it down from inside the guest, then commit.`);
  }
  if (s.saved) {
    throw new UsageError(`The staging image of ${template} has a saved state: start it and shut it down, then commit.`);
  }
  const dir = await storageDir(svc, signal);
  const doc = new DomainDoc(await svc.templateXml(template));
  const current = new Map(doc.disks().map((d) => [d.target, d.source]));
  const overlays = await svc.cloneDisks(s.uuid, signal);
  const plan: { target: string; overlay: string; old: string; image: string; generation: number }[] = [];
  const images = imageStoreOf(svc);
  const taken = new Set((await images.list(generationDir(dir)).catch(() => [])).map((f) => path.basename(f.path)));
  for (const overlay of overlays) {
    const [top] = await backingChain(overlay, signal);
    const entry = [...current].find(([, src]) => !!top?.backing && path.resolve(src) === path.resolve(top.backing));
    if (!entry) {
      throw new UsageError(
        `The staging overlay ${overlay} is not based on an image of template ${template} any more (the template ` +
          `changed since prepare-image): discard-image and prepare it again.`,
      );
    }
    const [target, old] = entry;
    let generation = generationOf(old) + 1;
    while (taken.has(path.basename(generationPath(dir, template, generation, target)))) generation++;
    plan.push({ target, overlay, old, image: generationPath(dir, template, generation, target), generation });
  }
  const written: string[] = [];
  try {
    for (const p of plan) {
      await images.flatten(p.overlay, p.image, signal);
      written.push(p.image);
      doc.setDiskSource(p.target, p.image);
    }
    await svc.writeTemplateXml(template, doc.toString());
  } catch (e) {
    for (const f of written) await images.delete(f);
    throw await explainNoSpace(e, images, dir);
  }
  await removeStaging(svc, s);
  const inv = await svc.inventory();
  // The previous images, and any older generation of this template that the last clone using it has left.
  const older = await generationFilesOf(images, dir, template);
  const candidates = [...new Set([...plan.map((p) => p.old), ...older])].filter((o) => isOurGeneration(dir, o));
  const { unused, undecided } = await unusedGenerations(svc, candidates);
  for (const f of unused) await images.delete(f);
  const clonesOnOldImage = inv.clones.filter((c) => c.template === template && !c.staging).length;
  return {
    images: plan.map(({ target, image, generation }) => ({ target, image, generation })),
    deleted: unused,
    clonesOnOldImage,
    ...(undecided ? { kept: `Previous image generations were kept: ${undecided}. Run qq2clone check later.` } : {}),
  };
}
