/**
 * The open appliances: one per disk set, reused by every call on it, closed after an idle time and on dispose, at
 * most `max` at once (each takes 0.4-1.4 GB). Starting one is the slow part (15-18 s); calls after it take
 * milliseconds.
 */
import { CancelledError, UsageError } from '../../core/errors';
import { GuestfsHelper, type Drive } from './client';

/** What to open: the key names the disk set (one appliance per key). */
export interface DiskSetSpec {
  readonly key: string;
  /** For messages: "clone 3 of T". */
  readonly what: string;
  readonly drives: readonly Drive[];
  readonly readonly: boolean;
  /**
   * Taken before the appliance starts and released after it closed (a read-write clone's lock, so rm or a reset
   * cannot replace its overlay under the appliance): resolves to the release; rejects to refuse the start.
   */
  readonly hold?: (signal?: AbortSignal) => Promise<() => void>;
}

export interface PoolOptions {
  /** Most appliances open at once. */
  readonly max: () => number;
  /** Close an appliance unused for this long (ms); 0 or less: keep until dispose. */
  readonly idleMs: () => number;
}

interface Entry {
  readonly spec: DiskSetSpec;
  ready: Promise<GuestfsHelper>;
  busy: number;
  timer?: NodeJS.Timeout;
  lastUse: number;
  /** Releases what spec.hold took, once the appliance is closed. */
  release?: () => void;
  /** Called when no call uses it any more, or when it is closed. */
  idleWaiters: (() => void)[];
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
    // Another drive set or mode: the open appliance is closed, but never under a call that uses it.
    while (e && !sameSpec(e.spec, spec)) {
      if (e.busy > 0) await this.whenIdle(e, signal);
      else await this.close(spec.key);
      e = this.entries.get(spec.key);
    }
    if (!e) {
      await this.makeRoom(spec.key);
      const made: Entry = { spec, ready: Promise.resolve(undefined as unknown as GuestfsHelper), busy: 0, lastUse: Date.now(), idleWaiters: [] };
      made.ready = (async () => {
        const release = await spec.hold?.(signal);
        made.release = release;
        try {
          return await GuestfsHelper.launch(spec.what, spec.drives, spec.readonly, signal);
        } catch (x) {
          made.release = undefined;
          release?.();
          throw x;
        }
      })();
      e = made;
      this.entries.set(spec.key, made);
      made.ready.catch(() => {
        if (this.entries.get(spec.key) === made) this.entries.delete(spec.key);
      });
    }
    const entry = e;
    entry.busy++;
    clearTimeout(entry.timer);
    try {
      const h = await entry.ready;
      if (!h.alive) {
        entry.busy--;
        if (this.entries.get(spec.key) === entry) await this.close(spec.key);
        return this.use(spec, work, signal);
      }
      return await work(h);
    } finally {
      entry.busy = Math.max(0, entry.busy - 1);
      entry.lastUse = Date.now();
      if (entry.busy === 0) this.wakeIdle(entry);
      this.arm(spec.key, entry);
    }
  }

  /** Resolves once no call uses `e` (or it was closed); CancelledError on abort. */
  private whenIdle(e: Entry, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError());
      const onAbort = () => reject(new CancelledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      e.idleWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private wakeIdle(e: Entry): void {
    for (const w of e.idleWaiters.splice(0)) w();
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

  /**
   * Closes the appliance of `key` (writes are synced first; `force`: ended at once, for a cancel: the call it runs
   * fails) and releases what its spec held; nothing if none is open.
   */
  async close(key: string, force = false): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    clearTimeout(e.timer);
    this.wakeIdle(e);
    const h = await e.ready.catch(() => undefined);
    try {
      await h?.close(force);
    } finally {
      e.release?.();
      e.release = undefined;
    }
  }

  /** Closes every appliance. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.entries.keys()].map((k) => this.close(k)));
  }
}
