/**
 * Which image generation each clone of the tree uses, read lazily and kept: a clone's overlay keeps its backing
 * file for life, so one read per clone is enough. Reads happen only for clones of templates whose current image is
 * not their first generation (before a commit-image every clone uses the only image there is), never on the
 * inventory refresh path: an item asks, gets "not known yet", and is re-rendered when the read is done.
 */
import type { LibvirtService } from '../libvirt/api';
import { cloneGenerations } from '../libvirt/templates';
import { generationOf } from '../libvirt/storage';
import type { CloneNode, TemplateNode } from './model';

/** The generation of a template's current image (its first disk); undefined for a template without disks. */
export function templateGeneration(t: TemplateNode): number | undefined {
  const disk = t.template.disks[0];
  return disk ? generationOf(disk) : undefined;
}

export class CloneGenerationCache {
  private readonly known = new Map<string, number | null>();
  private readonly reading = new Map<string, Promise<number | null>>();

  constructor(
    private readonly service: () => LibvirtService,
    /** A clone's generation became known: re-render its item. */
    private readonly resolved: (uuid: string) => void,
  ) {}

  /**
   * The clone's generation if known (null: it could not be read). Not known yet and its template has more than one
   * generation: starts one read in the background and returns undefined.
   */
  get(n: CloneNode): number | null | undefined {
    if (this.known.has(n.key)) return this.known.get(n.key);
    const current = templateGeneration(n.parent);
    if (current && current > 1 && !n.clone.staging) void this.read(n);
    return undefined;
  }

  /** The clone's generation, read once (later calls share the read or its result). */
  read(n: CloneNode): Promise<number | null> {
    if (this.known.has(n.key)) return Promise.resolve(this.known.get(n.key)!);
    let p = this.reading.get(n.key);
    if (!p) {
      p = cloneGenerations(this.service(), [n.clone])
        .then(([g]) => g?.generation ?? null)
        .catch(() => null)
        .then((g) => {
          this.known.set(n.key, g);
          this.reading.delete(n.key);
          this.resolved(n.key);
          return g;
        });
      this.reading.set(n.key, p);
    }
    return p;
  }

  /** Forget clones that are gone (their UUIDs are not reused, but the map should not grow for ever). */
  retain(uuids: ReadonlySet<string>): void {
    for (const k of this.known.keys()) if (!uuids.has(k)) this.known.delete(k);
  }
}
