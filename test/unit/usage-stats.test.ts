/**
 * Usage figures: domstats, nodecpustats, nodememstats and nodeinfo parsed from output captured on two running test
 * guests (one in a busy loop, one writing a file with dd) and after one of them was destroyed; rates from two of
 * those samples; a template's sum.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { USAGE_COLUMNS, alignTable, bytesText, cpuText, domainUsage, hostUsage, parseDomstats, parseHostSample, parseNodeInfo, sumUsage, usageDescription, usageRow } from '../../src/libvirt/stats';

const fx = (f: string) => fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8');
const BUSY = 'qqt-usagecap-i8lqv00-busy';
const WRITER = 'qqt-usagecap-i8lqv00-idle';

describe('usage: domstats and node figures parsed, rates from two samples', () => {
  it('parses each domain\'s counters: CPU time, vCPU waits, balloon, disk and NIC sums', () => {
    const s = parseDomstats(fx('domstats-usage-1.txt'));
    assert.deepEqual([...s.keys()], [BUSY, WRITER]);
    assert.deepEqual(s.get(BUSY), {
      name: BUSY,
      active: true,
      cpuTimeNs: 7432224000,
      vcpuDelayNs: 40976637938,
      vcpus: 1,
      memoryKiB: 131072,
      maxMemoryKiB: 131072,
      rssKiB: 260432,
      diskReadBytes: 8742912,
      diskWriteBytes: 4152320,
      // The test guest's user-mode NIC has no host interface: libvirt lists net.count=1 and no counters.
      netRxBytes: 0,
      netTxBytes: 0,
    });
  });

  it('a destroyed domain still has cpu.time and balloon.current but is not active', () => {
    const s = parseDomstats(fx('domstats-usage-shutoff.txt'));
    assert.equal(s.get(BUSY)!.active, true);
    assert.equal(s.get(WRITER)!.active, false);
    assert.equal(s.get(WRITER)!.cpuTimeNs, 4050000000);
  });

  it('rates: the busy loop wants its whole vCPU (time + waits), the writer shows a disk write rate', () => {
    const a = parseDomstats(fx('domstats-usage-1.txt'));
    const b = parseDomstats(fx('domstats-usage-2.txt'));
    const busy = domainUsage(a.get(BUSY), b.get(BUSY)!, 4);
    assert.ok(Math.abs(busy.cpuPercent - ((8051076000 - 7432224000) / 4e9) * 100) < 1e-9);
    assert.ok(busy.cpuPercent + busy.cpuWaitPercent >= 90 && busy.cpuPercent + busy.cpuWaitPercent <= 100, `${busy.cpuPercent} + ${busy.cpuWaitPercent}`);
    assert.equal(busy.fullCpu, true);
    assert.equal(busy.memSource, 'host');
    assert.equal(busy.memUsedKiB, 260432);
    assert.equal(busy.outOfMemory, false);
    const writer = domainUsage(a.get(WRITER), b.get(WRITER)!, 4);
    assert.equal(writer.diskWriteBps, (110363648 - 39004160) / 4);
    assert.ok(writer.diskWriteBps > 10 * 1024 * 1024);
    assert.equal(writer.fullCpu, false);
  });

  it('no earlier sample, or counters that went down (a restart): zero rates, memory still shown', () => {
    const a = parseDomstats(fx('domstats-usage-1.txt'));
    const b = parseDomstats(fx('domstats-usage-2.txt'));
    for (const u of [domainUsage(undefined, b.get(WRITER)!, 4), domainUsage(b.get(WRITER), a.get(WRITER)!, 4)]) {
      assert.deepEqual([u.cpuPercent, u.cpuWaitPercent, u.diskWriteBps, u.fullCpu], [0, 0, 0, false]);
      assert.ok(u.memUsedKiB > 0);
    }
  });

  it('guest-reported memory is preferred; under 5% unused is out of memory', () => {
    const s = { ...parseDomstats(fx('domstats-usage-1.txt')).get(BUSY)!, guestAvailableKiB: 120000, guestUnusedKiB: 3000 };
    const u = domainUsage(undefined, s, 0);
    assert.deepEqual([u.memSource, u.memUsedKiB, u.outOfMemory], ['guest', 117000, true]);
  });

  it('a template sums its clones: CPU weighted by vCPUs, rates and memory added', () => {
    const a = parseDomstats(fx('domstats-usage-1.txt'));
    const b = parseDomstats(fx('domstats-usage-2.txt'));
    const parts = [BUSY, WRITER].map((n) => domainUsage(a.get(n), b.get(n)!, 4));
    const t = sumUsage('tpl', parts);
    assert.equal(t.vcpus, 2);
    assert.ok(Math.abs(t.cpuPercent - (parts[0]!.cpuPercent + parts[1]!.cpuPercent) / 2) < 1e-9);
    assert.equal(t.memUsedKiB, parts[0]!.memUsedKiB + parts[1]!.memUsedKiB);
    assert.equal(t.diskWriteBps, parts[0]!.diskWriteBps + parts[1]!.diskWriteBps);
    assert.equal(t.fullCpu, true);
  });

  it('host: nodeinfo, and CPU and memory use from two nodecpustats/nodememstats', () => {
    assert.deepEqual(parseNodeInfo(fx('nodeinfo.txt')), { cpus: 2, memoryKiB: 24683748 });
    const h1 = parseHostSample(fx('nodecpustats-1.txt'), fx('nodememstats-1.txt'));
    const h2 = parseHostSample(fx('nodecpustats-2.txt'), fx('nodememstats-2.txt'));
    assert.equal(h1.busyNs, 358520000000 + 217660000000);
    assert.equal(h1.idleNs, 310780000000 + 5130000000);
    const u = hostUsage(h1, h2);
    // The machine was saturated while this was captured: idle did not move.
    assert.equal(u.cpuPercent, 100);
    assert.equal(u.memTotalKiB, 24683748);
    assert.ok(u.memUsedKiB > 0 && u.memUsedKiB < u.memTotalKiB);
    assert.equal(hostUsage(undefined, h2).cpuPercent, 0);
  });
});

describe('usage: figures as text', () => {
  it('bytes in binary units, CPU with the wait for a host CPU, a table aligned in columns', () => {
    assert.deepEqual([0, 1023, 1536, 10 * 1024 * 1024, 5.5 * 1024 ** 3].map(bytesText), ['0 B', '1023 B', '1.5 KiB', '10 MiB', '5.5 GiB']);
    assert.equal(cpuText({ cpuPercent: 11.4, cpuWaitPercent: 87.6 }), '11% (+88% waiting)');
    assert.equal(cpuText({ cpuPercent: 3, cpuWaitPercent: 0.2 }), '3%');
    const a = parseDomstats(fx('domstats-usage-1.txt'));
    const b = parseDomstats(fx('domstats-usage-2.txt'));
    const busy = domainUsage(a.get(BUSY), b.get(BUSY)!, 4);
    assert.equal(usageDescription(busy), `CPU ${Math.round(busy.cpuPercent + busy.cpuWaitPercent)}% · 254 MiB · full CPU`);
    const table = alignTable([USAGE_COLUMNS, usageRow(1, BUSY, busy), usageRow(2, 'x', undefined)]).split('\n');
    assert.equal(table.length, 3);
    assert.match(table[0]!, /^NUMBER  NAME\s+CPU\s+WAIT\s+MEM\s+DISK-R\s+DISK-W\s+NET-RX\s+NET-TX  MARKS$/);
    assert.match(table[1]!, new RegExp(`^1\\s+${BUSY}\\s+15%\\s+85%\\s+254 MiB\\s+.* full CPU$`));
    assert.match(table[2]!, /^2\s+x\s+-.*not running$/);
    assert.equal(table[0]!.indexOf('MARKS'), table[1]!.indexOf('full CPU'));
  });
});
