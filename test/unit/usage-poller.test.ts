/**
 * The tree's usage poller: reads only while the view or the panel is visible, nothing when no clone runs, one read
 * per interval with the running clones' names, history kept for the panel's minutes, and the texts the tree shows
 * (from figures computed on captured domstats output).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { domainUsage, parseDomstats, type UsageSnapshot } from '../../src/libvirt/stats';
import type { Clock } from '../../src/extension/tree/scheduler';
import { UsagePoller } from '../../src/extension/tree/usagePoller';

const fx = (f: string) => fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8');
const BUSY = 'qqt-usagecap-i8lqv00-busy';
const WRITER = 'qqt-usagecap-i8lqv00-idle';

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

describe('usage poller (tree and panel)', () => {
  const a = parseDomstats(fx('domstats-usage-1.txt'));
  const b = parseDomstats(fx('domstats-usage-2.txt'));
  let clock: ManualClock;
  let asked: string[][];
  let running: string[];
  let p: UsagePoller;
  const snapshot = (at: number): UsageSnapshot => ({
    at,
    seconds: 3,
    domains: new Map(running.map((n) => [n, domainUsage(a.get(n), b.get(n)!, 4)])),
    host: { cpuPercent: 50, memUsedKiB: 1, memTotalKiB: 2 },
    hostInfo: { cpus: 2, memoryKiB: 2 },
  });
  beforeEach(async () => {
    clock = new ManualClock();
    asked = [];
    running = [BUSY, WRITER];
    p = new UsagePoller(
      async (names) => {
        asked.push([...names]);
        return snapshot(clock.t);
      },
      () => running,
      () => undefined,
      { intervalMs: 3000, keepMs: 60_000, clock },
    );
    await clock.advance(0);
  });
  afterEach(() => p.dispose());

  it('reads nothing while neither the view nor the panel is visible', async () => {
    await clock.advance(30_000);
    assert.equal(p.reads, 0);
    assert.equal(p.latest, undefined);
  });

  it('while visible: at once, then every interval, with the running clones; hidden again: no more reads', async () => {
    p.setVisible('view', true);
    await clock.advance(0);
    assert.deepEqual(asked, [[BUSY, WRITER]]);
    await clock.advance(9000);
    assert.equal(p.reads, 4);
    p.setVisible('view', false);
    await clock.advance(30_000);
    assert.equal(p.reads, 4);
    p.setVisible('panel', true);
    await clock.advance(0);
    assert.equal(p.reads, 5, 'the panel alone keeps it reading');
  });

  it('no clone running: libvirt is not asked; a clone starting is read at the next tick', async () => {
    running = [];
    p.setVisible('view', true);
    await clock.advance(6000);
    assert.equal(p.reads, 0);
    running = [WRITER];
    await clock.advance(3000);
    assert.deepEqual(asked, [[WRITER]]);
  });

  it('an interval of 0 (the setting) stops reading and drops the figures; back to 3 s reads again', async () => {
    const seen: (UsageSnapshot | undefined)[] = [];
    p.onSnapshot((s) => seen.push(s));
    p.setVisible('view', true);
    await clock.advance(0);
    p.setInterval(0);
    await clock.advance(30_000);
    assert.equal(p.reads, 1);
    assert.equal(p.latest, undefined);
    assert.equal(p.shownClone(BUSY), undefined);
    assert.equal(seen[seen.length - 1], undefined);
    p.setInterval(3);
    await clock.advance(0);
    assert.equal(p.reads, 2);
    assert.ok(p.shownClone(BUSY));
  });

  it('keeps the last keepMs of snapshots for the charts', async () => {
    p.setVisible('panel', true);
    await clock.advance(0);
    await clock.advance(120_000);
    assert.equal(p.reads, 41);
    assert.equal(p.history.length, 21);
    assert.ok(p.latest!.at - p.history[0]!.at <= 60_000);
  });

  it('texts: a clone\'s description and tooltip; a template sums its running clones', async () => {
    p.setVisible('view', true);
    await clock.advance(0);
    const busy = p.shownClone(BUSY)!;
    assert.match(busy.text, /^CPU (9\d|100)% · 254 MiB · full CPU$/);
    assert.deepEqual(busy.tooltip.slice(1), [
      '- Memory: 254 MiB (QEMU process; 128 MiB given)',
      '- Disk: read 0 B/s, write 384 KiB/s',
      '- Network: receive 0 B/s, send 0 B/s',
      '- **full CPU**',
    ]);
    assert.match(busy.tooltip[0]!, /^- CPU: 15% \(\+85% waiting\) of 1 vCPU$/);
    assert.equal(p.shownClone('not-there'), undefined);
    const t = p.shownTemplate('tpl', [BUSY, WRITER, 'off-one'])!;
    assert.match(t.text, /^CPU \d+% · 553 MiB · full CPU$/);
    assert.match(t.tooltip[0]!, / of 2 vCPUs$/);
    assert.equal(p.shownTemplate('tpl', ['off-one']), undefined);
  });
});
