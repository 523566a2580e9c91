/**
 * Addresses of running clones for the tree, read in the background: a cache by UUID, reads queued and run with a
 * small bound (never slowing the inventory read or the view), entries dropped when the clone's lifecycle or agent
 * changes (the caller says so) and re-read on the next request. Listeners hear which clone got new addresses.
 */
import type { Disposable, LibvirtService } from '../api';
import { virshVia } from '../serviceCore';
import type { VirshCall } from './agent';
import { readAddresses, type CloneAddresses } from './addresses';
import { findForward } from './forward';

export interface AddressEntry extends CloneAddresses {
  /** The 127.0.0.1 port forwarded to the guest's port 22, when one exists (user-mode NIC, SSH opened). */
  readonly sshPort?: number;
  /** When it was read (ms since epoch). */
  readonly at: number;
}

export type AddressReader = (uuid: string, signal: AbortSignal) => Promise<Omit<AddressEntry, 'at'>>;

/** The reader the product uses: domifaddr's sources in order, and an existing SSH forward. */
export function serviceAddressReader(svc: LibvirtService): AddressReader {
  const virsh: VirshCall = (args, signal) => virshVia(svc, args, signal);
  return async (uuid, signal) => {
    const [addresses, forward] = await Promise.all([
      readAddresses(virsh, uuid, signal),
      findForward(virsh, uuid, 22, signal).catch(() => undefined),
    ]);
    return { ...addresses, ...(forward ? { sshPort: forward.hostPort } : {}) };
  };
}

export class AddressBook implements Disposable {
  private readonly entries = new Map<string, AddressEntry>();
  private readonly queue: string[] = [];
  private readonly inFlight = new Set<string>();
  /** Bumped per UUID on invalidate: a read that began before is dropped. */
  private readonly generation = new Map<string, number>();
  private readonly listeners = new Set<(uuid: string) => void>();
  private readonly abort = new AbortController();
  /** Reads done (figures, tests). */
  reads = 0;

  constructor(
    private readonly reader: AddressReader,
    private readonly concurrency = 2,
    /** An entry older than this is re-read on request (addresses change without events: DHCP renewals). */
    private readonly maxAgeMs = 120_000,
  ) {}

  /** The cached entry (maybe undefined); asks for a read in the background when missing or old. */
  get(uuid: string): AddressEntry | undefined {
    const e = this.entries.get(uuid);
    if (!e || Date.now() - e.at > this.maxAgeMs) this.request(uuid);
    return e;
  }

  /** The cached entry, without asking for a read. */
  peek(uuid: string): AddressEntry | undefined {
    return this.entries.get(uuid);
  }

  /** Queue a read of this clone (once). */
  request(uuid: string): void {
    if (this.abort.signal.aborted || this.inFlight.has(uuid) || this.queue.includes(uuid)) return;
    this.queue.push(uuid);
    this.pump();
  }

  /** Forget a clone's addresses (lifecycle or agent event); `reread` queues a fresh read. */
  invalidate(uuid: string, reread: boolean): void {
    this.generation.set(uuid, (this.generation.get(uuid) ?? 0) + 1);
    const had = this.entries.delete(uuid);
    if (had) this.emit(uuid);
    if (reread) {
      this.inFlight.delete(uuid);
      this.request(uuid);
    }
  }

  /** Drop entries of clones not in `uuids` (gone from the inventory). */
  retain(uuids: ReadonlySet<string>): void {
    for (const u of [...this.entries.keys()]) if (!uuids.has(u)) this.entries.delete(u);
  }

  onChange(listener: (uuid: string) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Resolves when no read is queued or running (tests, benches). */
  async idle(): Promise<void> {
    while (this.queue.length || this.inFlight.size) await new Promise((r) => setTimeout(r, 20));
  }

  private emit(uuid: string): void {
    for (const l of this.listeners) l(uuid);
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency && this.queue.length) {
      const uuid = this.queue.shift()!;
      this.inFlight.add(uuid);
      const gen = this.generation.get(uuid) ?? 0;
      void this.reader(uuid, this.abort.signal)
        .then(
          (r) => {
            this.reads++;
            if ((this.generation.get(uuid) ?? 0) !== gen || this.abort.signal.aborted) return;
            this.entries.set(uuid, { ...r, at: Date.now() });
            this.emit(uuid);
          },
          () => undefined,
        )
        .finally(() => {
          if ((this.generation.get(uuid) ?? 0) === gen) this.inFlight.delete(uuid);
          this.pump();
        });
    }
  }

  dispose(): void {
    this.abort.abort();
    this.queue.length = 0;
    this.listeners.clear();
  }
}
