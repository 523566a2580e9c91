/**
 * Which image generation each clone uses, and which generation images nothing uses any more (so they may go).
 * A clone's generation is read from its overlays' backing files, so it is right even for clones made before.
 */
import type { CloneInfo, LibvirtService } from './api';
import { backingChain, generationOf } from './images';

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

/** The generation each clone uses (its first disk's backing image). */
export async function cloneGenerations(
  svc: LibvirtService,
  clones: readonly CloneInfo[],
  signal?: AbortSignal,
): Promise<CloneGeneration[]> {
  const out: CloneGeneration[] = [];
  for (const c of clones) {
    const [disk] = await svc.cloneDisks(c.uuid, signal).catch(() => [] as string[]);
    const chain = disk ? await backingChain(disk, signal).catch(() => []) : [];
    const image = chain[0]?.backing;
    out.push(image ? { uuid: c.uuid, image, generation: generationOf(image) } : { uuid: c.uuid });
  }
  return out;
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
