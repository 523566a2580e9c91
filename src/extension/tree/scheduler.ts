/**
 * When the tree re-reads libvirt: bursts of requests (events of a 100-clone batch) collapse into few reads, only
 * one read runs at a time, nothing is read while the view is hidden (it is marked stale and read when shown), and
 * a slow poll covers events that never came. Pure: timers and clock are injectable for the unit tests.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface SchedulerOptions {
  /** Wait this long after the first request of a burst (default 100 ms). */
  readonly debounceMs?: number;
  /** At least this long between the starts of two requested reads (default 750 ms). */
  readonly minIntervalMs?: number;
  /** Fallback poll while visible (default 30 s; 0 disables). */
  readonly pollMs?: number;
  readonly clock?: Clock;
}

export class RefreshScheduler {
  private visible = false;
  private stale = true;
  private again = false;
  private timer: unknown;
  private pollTimer: unknown;
  private running: Promise<void> | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;
  private disposed = false;
  private readonly debounceMs: number;
  private readonly minIntervalMs: number;
  private readonly pollMs: number;
  private readonly clock: Clock;
  /** How many reads ran (for tests and the bench). */
  reads = 0;

  constructor(
    private readonly read: () => Promise<void>,
    options: SchedulerOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 100;
    this.minIntervalMs = options.minIntervalMs ?? 750;
    this.pollMs = options.pollMs ?? 30_000;
    this.clock = options.clock ?? realClock;
  }

  /** The view was shown or hidden; showing a stale view reads at once. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) {
      this.armPoll();
      if (this.stale) void this.now();
    } else if (this.pollTimer !== undefined) {
      this.clock.clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  /** Something changed (an event, a finished command): read soon, collapsing bursts. */
  request(): void {
    if (this.disposed) return;
    if (!this.visible) {
      this.stale = true;
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) return;
    const wait = Math.max(this.debounceMs, this.lastStart + this.minIntervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.start();
    }, wait);
  }

  /** Read now (after a read in flight, if any); resolves when a read that began after this call is done. */
  async now(): Promise<void> {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.running) await this.running;
    if (this.disposed) return;
    return this.start();
  }

  private start(): Promise<void> {
    this.stale = false;
    this.again = false;
    this.lastStart = this.clock.now();
    this.reads++;
    const p = this.read()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
    this.running = p;
    return p;
  }

  private armPoll(): void {
    if (this.pollMs <= 0 || this.pollTimer !== undefined || this.disposed) return;
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = undefined;
      if (!this.visible) return;
      if (!this.running) void this.start();
      this.armPoll();
    }, this.pollMs);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (this.pollTimer !== undefined) this.clock.clearTimeout(this.pollTimer);
  }
}
