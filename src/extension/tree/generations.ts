/**
 * Which image generation each clone of the tree uses, read lazily and kept: a clone's overlay keeps its backing
 * file for life, so one read per clone is enough. Reads happen only for clones of templates whose current image is
 * not their first generation (before a commit-image every clone uses the only image there is), never on the
 * inventory refresh path: an item asks, gets "not known yet", and is re-rendered when the read is done.
 */
import { asQq2Error, type Qq2Error } from '../../core/errors';
import type { LibvirtService } from '../../libvirt/api';
import { cloneGenerations } from '../../libvirt/templates';
import { generationOf } from '../../libvirt/storage';
import type { CloneNode, TemplateNode } from './model';

/** The generation of a template's current image (its first disk); undefined for a template without disks. */
export function templateGeneration(t: TemplateNode): number | undefined {
  const disk = t.template.disks[0];
  return disk ? generationOf(disk) : undefined;
}

/** After a failed read, how long a clone's generation counts as unknown before it is read again. */
export const GENERATION_RETRY_MS = 30_000;

export class CloneGenerationCache {
  private readonly known = new Map<string, number | null>();
  private readonly reading = new Map<string, Promise<number | null>>();
  /** Clones whose last read failed, and when: not cached as "none", read again after GENERATION_RETRY_MS. */
  private readonly failed = new Map<string, number>();

  constructor(
    private readonly service: () => LibvirtService,
    /** A clone's generation became known: re-render its item. */
    private readonly resolved: (uuid: string) => void,
    /** A read failed: say so (the output channel). */
    private readonly failure: (uuid: string, error: Qq2Error) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The clone's generation if known (null: it has none, or its last read failed a moment ago). Not known yet and
   * its template has more than one generation: starts one read in the background and returns undefined.
   */
  get(n: CloneNode): number | null | undefined {
    if (this.known.has(n.key)) return this.known.get(n.key);
    const failedAt = this.failed.get(n.key);
    if (failedAt !== undefined && this.now() - failedAt < GENERATION_RETRY_MS) return null;
    const current = templateGeneration(n.parent);
    if (current && current > 1 && !n.clone.staging) void this.read(n);
    return failedAt !== undefined ? null : undefined;
  }

  /** The clone's generation, read once (later calls share the read or its result); null when the read failed. */
  read(n: CloneNode): Promise<number | null> {
    if (this.known.has(n.key)) return Promise.resolve(this.known.get(n.key)!);
    let p = this.reading.get(n.key);
    if (!p) {
      p = cloneGenerations(this.service(), [n.clone])
        .then(([g]) => {
          if (g?.error) throw g.error;
          return g?.generation ?? null;
        })
        .then(
          (g) => {
            this.known.set(n.key, g);
            this.failed.delete(n.key);
            return g;
          },
          (e: unknown) => {
            this.failed.set(n.key, this.now());
            this.failure(n.key, asQq2Error(e));
            return null;
          },
        )
        .then((g) => {
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
    for (const k of this.failed.keys()) if (!uuids.has(k)) this.failed.delete(k);
  }
}
