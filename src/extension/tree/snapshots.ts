/**
 * The snapshots under each clone of the tree: read lazily for all clones an update shows, in one batch (two
 * round trips whatever their number), kept until a command changes them (it calls forget) or a refresh of the
 * whole tree; an item asks, gets "not known yet", and is re-rendered when the read is done.
 */
import { asQq2Error, type Qq2Error } from '../../core/errors';
import type { LibvirtService, SnapshotInfo } from '../../libvirt/api';
import type { CloneNode } from './model';

/** A snapshot under its clone in the tree. */
export interface SnapshotNode {
  readonly kind: 'snapshot';
  /** Unique in the view: the clone's UUID and the snapshot's name. */
  readonly key: string;
  readonly snapshot: SnapshotInfo;
  readonly parent: CloneNode;
}

export function isSnapshotNode(x: unknown): x is SnapshotNode {
  return typeof x === 'object' && x !== null && (x as SnapshotNode).kind === 'snapshot';
}

export class CloneSnapshotCache {
  private readonly known = new Map<string, SnapshotInfo[]>();
  private readonly waiting = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly service: () => LibvirtService,
    /** These clones' snapshots became known: re-render their items. */
    private readonly resolved: (uuids: readonly string[]) => void,
    /** A read failed: say so (the output channel). */
    private readonly failure: (error: Qq2Error) => void = () => undefined,
  ) {}

  /** The clone's snapshots as nodes, newest first; undefined while not known (one batched read is started). */
  get(n: CloneNode): SnapshotNode[] | undefined {
    const list = this.known.get(n.key);
    if (list) return list.map((s) => ({ kind: 'snapshot', key: `${n.key}/snapshot/${s.name}`, snapshot: s, parent: n }));
    if (!n.clone.staging) this.schedule([n.key]);
    return undefined;
  }

  private schedule(uuids: readonly string[]): void {
    for (const u of uuids) this.waiting.add(u);
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => void this.readWaiting(), 0);
  }

  private async readWaiting(): Promise<void> {
    this.scheduled = false;
    const uuids = [...this.waiting.keys()];
    this.waiting.clear();
    try {
      const found = await this.service().snapshotsOf(uuids);
      for (const u of uuids) this.known.set(u, found.get(u) ?? []);
    } catch (e) {
      // Shown without snapshots until the next refresh; the failure is said.
      for (const u of uuids) this.known.set(u, []);
      this.failure(asQq2Error(e));
    }
    this.resolved(uuids);
  }

  /**
   * Read these clones' snapshots again (a command changed them), all known ones without arguments (a refresh); what
   * was known is shown until the new read is done.
   */
  reread(uuids: readonly string[] = [...this.known.keys()]): void {
    if (uuids.length) this.schedule(uuids);
  }

  /** Forget clones that are gone. */
  retain(uuids: ReadonlySet<string>): void {
    for (const k of this.known.keys()) if (!uuids.has(k)) this.known.delete(k);
  }
}
