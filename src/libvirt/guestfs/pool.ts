/**
 * The open appliances: one per disk set, reused by every call on it, closed after an idle time and on dispose, at
 * most `max` at once (each takes 0.4-1.4 GB). Starting one is the slow part (15-18 s); calls after it take
 * milliseconds.
 */
import { UsageError } from '../../core/errors';
import { GuestfsHelper, type Drive } from './client';

/** What to open: the key names the disk set (one appliance per key). */
export interface DiskSetSpec {
  readonly key: string;
  /** For messages: "clone 3 of T". */
  readonly what: string;
  readonly drives: readonly Drive[];
  readonly readonly: boolean;
}

export interface PoolOptions {
  /** Most appliances open at once. */
  readonly max: () => number;
  /** Close an appliance unused for this long (ms); 0 or less: keep until dispose. */
  readonly idleMs: () => number;
}

interface Entry {
  readonly spec: DiskSetSpec;
  readonly ready: Promise<GuestfsHelper>;
  busy: number;
  timer?: NodeJS.Timeout;
  lastUse: number;
}

const sameSpec = (a: DiskSetSpec, b: DiskSetSpec) =>
  a.readonly === b.readonly && a.drives.length === b.drives.length && a.drives.every((d, i) => d.path === b.drives[i]!.path && d.side === b.drives[i]!.side);

export class AppliancePool {
  private readonly entries = new Map<string, Entry>();
  private disposed = false;

  constructor(private readonly options: PoolOptions) {}

  /** The keys of the open (or starting) appliances. */
  get open(): string[] {
    return [...this.entries.keys()];
  }

  /** The open appliance for this key, if any (its spec says how it was opened). */
  peek(key: string): DiskSetSpec | undefined {
    return this.entries.get(key)?.spec;
  }

  /**
   * Runs `work` on the appliance of `spec.key`, started (with `signal`) when none is open or the open one was made
   * for other drives or another mode. The appliance stays open for the next call until it is idle for the set time.
   */
  async use<T>(spec: DiskSetSpec, work: (h: GuestfsHelper) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.disposed) throw new UsageError('Disk access has been closed.');
    let e = this.entries.get(spec.key);
    if (e && !sameSpec(e.spec, spec)) {
      await this.close(spec.key);
      e = undefined;
    }
    if (!e) {
      await this.makeRoom(spec.key);
      const ready = GuestfsHelper.launch(spec.what, spec.drives, spec.readonly, signal);
      const made: Entry = { spec, ready, busy: 0, lastUse: Date.now() };
      e = made;
      this.entries.set(spec.key, made);
      ready.catch(() => {
        if (this.entries.get(spec.key) === made) this.entries.delete(spec.key);
      });
    }
    const entry = e;
    entry.busy++;
    clearTimeout(entry.timer);
    try {
      const h = await entry.ready;
      if (!h.alive) {
        this.entries.delete(spec.key);
        entry.busy--;
        return this.use(spec, work, signal);
      }
      return await work(h);
    } finally {
      entry.busy = Math.max(0, entry.busy - 1);
      entry.lastUse = Date.now();
      this.arm(spec.key, entry);
    }
  }

  private arm(key: string, e: Entry): void {
    const ms = this.options.idleMs();
    if (e.busy > 0 || ms <= 0) return;
    clearTimeout(e.timer);
    e.timer = setTimeout(() => {
      if (this.entries.get(key) === e && e.busy === 0) void this.close(key);
    }, ms);
    e.timer.unref?.();
  }

  /** Closes the least recently used idle appliances until one more fits; refuses when all are in use. */
  private async makeRoom(key: string): Promise<void> {
    const max = Math.max(1, this.options.max());
    while (this.entries.size >= max) {
      const idle = [...this.entries.entries()].filter(([k, e]) => e.busy === 0 && k !== key).sort((a, b) => a[1].lastUse - b[1].lastUse);
      if (!idle.length) {
        throw new UsageError(
          `${this.entries.size} disk appliances are in use (${[...this.entries.values()].map((x) => x.spec.what).join(', ')}), the most allowed at once: wait for one to finish or raise the setting qq2clone.disk.maxAppliances.`,
        );
      }
      await this.close(idle[0]![0]);
    }
  }

  /** Closes the appliance of `key` (writes are synced first); nothing if none is open. */
  async close(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    clearTimeout(e.timer);
    const h = await e.ready.catch(() => undefined);
    await h?.close();
  }

  /** Closes every appliance. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.entries.keys()].map((k) => this.close(k)));
  }
}
