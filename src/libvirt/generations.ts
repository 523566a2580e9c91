/**
 * Which image generation each clone uses, and which generation images nothing uses any more (so they may go).
 * A clone's generation is read from its overlays' backing files, so it is right even for clones made before.
 */
import type { CloneInfo, Inventory, LibvirtService } from './api';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { backingChain, generationDir, generationOf, qcow2Backing } from './images';
import { DomainDoc } from './templateXml';

/** The image a clone's first disk is based on, and that image's generation number. */
export interface CloneGeneration {
  readonly uuid: string;
  readonly image?: string;
  readonly generation?: number;
}

/** Every file in the backing chains of these clones' disks (overlays included). */
export async function filesUsedByClones(
  svc: LibvirtService,
  clones: readonly CloneInfo[],
  signal?: AbortSignal,
): Promise<Set<string>> {
  const used = new Set<string>();
  for (const c of clones) {
    for (const disk of await svc.cloneDisks(c.uuid, signal).catch(() => [] as string[])) {
      for (const e of await backingChain(disk, signal).catch(() => [])) used.add(e.filename);
    }
  }
  return used;
}

/** The generation each clone uses (its first disk's backing image, read from the qcow2 header). */
export async function cloneGenerations(
  svc: LibvirtService,
  clones: readonly CloneInfo[],
  signal?: AbortSignal,
): Promise<CloneGeneration[]> {
  return Promise.all(
    clones.map(async (c) => {
      const [disk] = await svc.cloneDisks(c.uuid, signal).catch(() => [] as string[]);
      const image = disk ? await qcow2Backing(disk).catch(() => undefined) : undefined;
      return image ? { uuid: c.uuid, image, generation: generationOf(image) } : { uuid: c.uuid };
    }),
  );
}

/** A template's current image per disk, with its generation. */
export interface TemplateImage {
  readonly target: string;
  readonly image: string;
  readonly generation: number;
}

/** What `list xml` and the tree show about images: each template's current images, each clone's generation. */
export interface ImageReport {
  readonly templates: ReadonlyMap<string, readonly TemplateImage[]>;
  readonly clones: ReadonlyMap<string, number>;
}

export async function imageReport(svc: LibvirtService, inv: Inventory, signal?: AbortSignal): Promise<ImageReport> {
  const templates = new Map<string, TemplateImage[]>();
  for (const t of inv.templates) {
    if (t.problem) continue;
    const doc = await svc.templateXml(t.name).then((x) => new DomainDoc(x)).catch(() => undefined);
    templates.set(t.name, (doc?.disks() ?? []).map((d) => ({ target: d.target, image: d.source, generation: generationOf(d.source) })));
  }
  const clones = new Map<string, number>();
  for (const g of await cloneGenerations(svc, inv.clones, signal)) if (g.generation) clones.set(g.uuid, g.generation);
  return { templates, clones };
}

/** Those of `candidates` that no template and no clone (of any template) uses. */
export async function unusedGenerations(
  svc: LibvirtService,
  _storage: string,
  candidates: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  if (!candidates.length) return [];
  const inv = await svc.inventory(signal);
  const used = await filesUsedByClones(svc, inv.clones, signal);
  for (const t of inv.templates) for (const d of t.disks) used.add(d);
  return candidates.filter((c) => !used.has(c));
}

/** The generation files made for `template` in the storage directory `dir`. */
export async function generationFilesOf(dir: string, template: string): Promise<string[]> {
  return (await fs.readdir(generationDir(dir)).catch(() => [] as string[]))
    .filter((f) => f.startsWith(`${template}.gen`) && f.endsWith('.qcow2'))
    .map((f) => path.join(generationDir(dir), f));
}
