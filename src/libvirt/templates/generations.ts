/**
 * Which image generation each clone uses, and which generation images nothing uses any more (so they may go).
 * A clone's generation is read from its overlays' backing files, so it is right even for clones made before.
 */
import { CancelledError, asQq2Error, type Qq2Error } from '../../core/errors';
import type { CloneInfo, Inventory, LibvirtService } from '../api';
import { domainGone } from '../process';
import { forEachBounded } from '../../core/limit';
import * as path from 'node:path';
import { generationDir, generationOf, qcow2Backing, type ImageStore } from '../storage';
import { inUse, scanUsage, whyUndecided } from '../storage';
import { DomainDoc } from '../domain';

/** The image a clone's first disk is based on, and that image's generation number; or why it could not be read. */
export interface CloneGeneration {
  readonly uuid: string;
  readonly image?: string;
  readonly generation?: number;
  /** The read failed (the clone's XML or its disk's header): nothing is known, which is not "no generation". */
  readonly error?: Qq2Error;
}

/** How many clones' generations are read at once. */
export const GENERATION_READS = 8;

/** The generation each clone uses (its first disk's backing image, read from the qcow2 header), a few at a time. */
export async function cloneGenerations(
  svc: LibvirtService,
  clones: readonly CloneInfo[],
  signal?: AbortSignal,
): Promise<CloneGeneration[]> {
  const out: CloneGeneration[] = new Array<CloneGeneration>(clones.length);
  await forEachBounded(
    clones,
    GENERATION_READS,
    async (c, i) => {
      try {
        const [disk] = await svc.cloneDisks(c.uuid, signal);
        const image = disk ? await qcow2Backing(disk) : undefined;
        out[i] = image ? { uuid: c.uuid, image, generation: generationOf(image) } : { uuid: c.uuid };
      } catch (e) {
        // Removed meanwhile (its domain goes first, then its overlays): it has no generation any more; any other
        // failure is said.
        const gone = domainGone(e) || (await svc.cloneDisks(c.uuid, signal).then(() => false, domainGone));
        out[i] = gone ? { uuid: c.uuid } : { uuid: c.uuid, error: asQq2Error(e) };
      }
    },
    signal,
  );
  if (signal?.aborted) throw new CancelledError();
  return out;
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
  /** Clones whose generation could not be read, with why. */
  readonly unread: ReadonlyMap<string, Qq2Error>;
}

export async function imageReport(svc: LibvirtService, inv: Inventory, signal?: AbortSignal): Promise<ImageReport> {
  const templates = new Map<string, TemplateImage[]>();
  for (const t of inv.templates) {
    if (t.problem) continue;
    const doc = await svc.templateXml(t.name).then((x) => new DomainDoc(x)).catch(() => undefined);
    templates.set(t.name, (doc?.disks() ?? []).map((d) => ({ target: d.target, image: d.source, generation: generationOf(d.source) })));
  }
  const clones = new Map<string, number>();
  const unread = new Map<string, Qq2Error>();
  for (const g of await cloneGenerations(svc, inv.clones, signal)) {
    if (g.generation) clones.set(g.uuid, g.generation);
    if (g.error) unread.set(g.uuid, g.error);
  }
  return { templates, clones, unread };
}

/** Which of the candidate images may be deleted, or why none may. */
export interface UnusedImages {
  /** Candidates nothing uses (empty when `undecided` is set). */
  readonly unused: string[];
  /** Why nothing may be deleted: something could not be read, so any candidate may still be in use. */
  readonly undecided?: string;
}

/**
 * Those of `candidates` that nothing uses: no template, no domain (ours or not, any disk, any backing chain).
 * Fails closed: when anything cannot be read, no candidate is unused and `undecided` says why.
 */
export async function unusedGenerations(
  svc: LibvirtService,
  candidates: readonly string[],
  signal?: AbortSignal,
): Promise<UnusedImages> {
  if (!candidates.length) return { unused: [] };
  const usage = await scanUsage(svc, signal);
  const undecided = whyUndecided(usage);
  if (undecided) return { unused: [], undecided };
  return { unused: candidates.filter((c) => !inUse(usage, c)) };
}

/** The generation files made for `template` in the storage directory `dir`. */
export async function generationFilesOf(images: ImageStore, dir: string, template: string): Promise<string[]> {
  return (await images.list(generationDir(dir)).catch(() => []))
    .map((f) => path.basename(f.path))
    .filter((f) => f.startsWith(`${template}.gen`) && f.endsWith('.qcow2'))
    .map((f) => path.join(generationDir(dir), f));
}
