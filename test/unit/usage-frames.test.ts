/** The usage panel's frames: a snapshot as plain numbers with the tree's labels, and the clones' sort orders. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { domainUsage, parseDomstats, type UsageSnapshot } from '../../src/libvirt/stats';
import { sortClones, usageFrame } from '../../src/extension/panel/usageFrames';

const fx = (f: string) => fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8');
const BUSY = 'qqt-usagecap-i8lqv00-busy';
const WRITER = 'qqt-usagecap-i8lqv00-idle';

describe('usage panel frames', () => {
  const a = parseDomstats(fx('domstats-usage-1.txt'));
  const b = parseDomstats(fx('domstats-usage-2.txt'));
  const snap: UsageSnapshot = {
    at: 1_700_000_000_000,
    seconds: 4,
    domains: new Map([BUSY, WRITER, 'foreign'].map((n) => [n, domainUsage(a.get(n === 'foreign' ? BUSY : n), b.get(n === 'foreign' ? BUSY : n)!, 4)])),
    host: { cpuPercent: 100, memUsedKiB: 2048, memTotalKiB: 4096 },
    hostInfo: { cpus: 2, memoryKiB: 4096 },
  };
  const frame = usageFrame(snap, (n) => (n === 'foreign' ? undefined : { label: n === BUSY ? `1 ${n}` : `2 ${n}`, template: 't' }));

  it('carries the clones the tree knows, in plain numbers, and the host', () => {
    assert.equal(frame.at, 1_700_000_000);
    assert.deepEqual(frame.host, { cpu: 100, memMiB: 2, memTotalMiB: 4, cpus: 2 });
    assert.deepEqual(frame.clones.map((c) => c.label), [`1 ${BUSY}`, `2 ${WRITER}`]);
    const w = frame.clones[1]!;
    assert.equal(w.diskW, (110363648 - 39004160) / 4);
    assert.equal(w.memMiB, 306152 / 1024);
    assert.equal(frame.clones[0]!.full, true);
  });

  it('sorts by CPU (used + waiting), memory, disk, network (highest first) or by name', () => {
    assert.deepEqual(sortClones(frame.clones, 'cpu').map((c) => c.name), [BUSY, WRITER]);
    assert.deepEqual(sortClones(frame.clones, 'memory').map((c) => c.name), [WRITER, BUSY]);
    assert.deepEqual(sortClones(frame.clones, 'disk').map((c) => c.name), [WRITER, BUSY]);
    assert.deepEqual(sortClones(frame.clones, 'name').map((c) => c.name), [BUSY, WRITER]);
    // Equal figures (no NIC counters on user-mode networking): by name.
    assert.deepEqual(sortClones([...frame.clones].reverse(), 'network').map((c) => c.name), [BUSY, WRITER]);
  });
});
