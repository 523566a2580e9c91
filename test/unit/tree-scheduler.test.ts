import * as assert from 'node:assert/strict';
import { RefreshScheduler, type Clock } from '../../src/extension/tree/scheduler';

/** A clock the test advances by hand. */
class ManualClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const due = this.timers[0];
      if (!due || due.at > end) break;
      this.timers.shift();
      this.t = due.at;
      due.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
    await new Promise((r) => setImmediate(r));
  }
}

describe('refresh scheduler', () => {
  let clock: ManualClock;
  let reads: number;
  let s: RefreshScheduler;
  beforeEach(() => {
    clock = new ManualClock();
    reads = 0;
    s = new RefreshScheduler(
      async () => {
        reads++;
      },
      { debounceMs: 100, minIntervalMs: 750, pollMs: 30_000, clock },
    );
  });
  afterEach(() => s.dispose());

  it('collapses a burst of 100 requests into one read', async () => {
    s.setVisible(true);
    await clock.advance(1);
    const first = reads;
    for (let i = 0; i < 100; i++) s.request();
    await clock.advance(1000);
    assert.equal(reads - first, 1);
  });

  it('reads at most about once per interval during a long burst', async () => {
    s.setVisible(true);
    await clock.advance(1);
    const first = reads;
    for (let i = 0; i < 100; i++) {
      s.request();
      await clock.advance(50); // 100 events over 5 s
    }
    await clock.advance(1000);
    assert.ok(reads - first <= 8, `${reads - first} reads for 100 events in 5 s`);
    assert.ok(reads - first >= 5, `${reads - first} reads: the tree must keep following`);
  });

  it('does not read while hidden, and reads once when shown again', async () => {
    s.setVisible(true);
    await clock.advance(1);
    s.setVisible(false);
    const before = reads;
    for (let i = 0; i < 10; i++) s.request();
    await clock.advance(60_000);
    assert.equal(reads, before);
    s.setVisible(true);
    await clock.advance(1);
    assert.equal(reads, before + 1);
  });

  it('polls slowly while visible', async () => {
    s.setVisible(true);
    await clock.advance(1);
    const before = reads;
    await clock.advance(90_000);
    assert.equal(reads - before, 3);
  });

  it('now() reads at once even inside the interval', async () => {
    s.setVisible(true);
    await clock.advance(1);
    const before = reads;
    await s.now();
    await s.now();
    assert.equal(reads, before + 2);
  });
});
