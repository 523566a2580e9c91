/**
 * Live usage on real clones of the test guest: one runs a busy loop started through the agent, one writes a file
 * over and over, one idles. The service's sampler (one domstats for all of them per refresh) is compared with
 * `virsh domstats` read by the test around it. The clones are booted once.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { build } from 'esbuild';
import { guestExec } from '../guest';
import { bootAll } from '../guest/bootAll';
import { TestBed, TEST_URI, virsh } from '../testbed';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import { UsageSampler, parseDomstats, type DomainSample } from '../../src/libvirt/stats';

const GROUPS = ['--cpu-total', '--balloon', '--vcpu', '--interface', '--block'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The test's own reading of the clones' counters, with the time it was read. */
const readDomstats = (names: readonly string[]): { at: number; s: Map<string, DomainSample> } => {
  const t0 = Date.now();
  const s = parseDomstats(virsh('domstats', ...GROUPS, ...names));
  return { at: (t0 + Date.now()) / 2, s };
};

describe('usage: live CPU, memory and disk figures of real running clones', function () {
  this.timeout(900_000);
  let bed: TestBed;
  let svc: Libvirt;
  let busy: string;
  let writer: string;
  let idle: string;
  let tplName: string;
  let cliJs: string;

  /** The CLI on the bed's home; resolves with its exit code and output (`stopAfter`: SIGINT once stdout has it). */
  const q = (args: string[], stopAfter?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [cliJs, '-t', tplName, ...args], {
        env: { ...process.env, QQ2CLONE_HOME: bed.root, LIBVIRT_DEFAULT_URI: TEST_URI },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stopAfter?.test(stdout)) p.kill('SIGINT');
      });
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  before(async () => {
    bed = new TestBed('usage');
    const tpl = bed.makeGuestTemplate(path.join(bed.root, 'templates'), 'g');
    tplName = tpl.name;
    cliJs = path.join(bed.root, 'cli.js');
    await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cliJs, logLevel: 'silent' });
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root, templateDir: path.join(bed.root, 'templates') });
    const made = await svc.clone(tpl.name, 3, { run: true });
    [busy, writer, idle] = made.map((c) => c.name) as [string, string, string];
    await bootAll([busy, writer, idle]);
    await guestExec(busy, ['sh', '-c', '(while :; do :; done) </dev/null >/dev/null 2>&1 &']);
    await guestExec(writer, ['sh', '-c', '(while :; do dd if=/dev/zero of=/root/f bs=64k count=160 conv=fsync; done) </dev/null >/dev/null 2>&1 &']);
    // Boot-time work (module loading, the agent starting) settles before anything is measured.
    await sleep(5000);
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  it('one refresh reads all three in one domstats; the busy loop wants its whole vCPU, the idle one next to none; they agree with virsh domstats', async () => {
    const sampler = new UsageSampler(svc);
    const names = [busy, writer, idle];
    const first = await sampler.sample(names);
    assert.deepEqual([...first.domains.keys()].sort(), [...names].sort());
    assert.equal(first.seconds, 0);
    const t0 = readDomstats(names);
    await sleep(6000);
    const snap = await sampler.sample(names);
    const t1 = readDomstats(names);
    assert.ok(snap.seconds > 5, `${snap.seconds} s between samples`);
    const theirs = (n: string) => {
      const dt = (t1.at - t0.at) / 1000;
      const a = t0.s.get(n)!;
      const b = t1.s.get(n)!;
      return { cpu: ((b.cpuTimeNs - a.cpuTimeNs) / 1e9 / dt) * 100, want: ((b.cpuTimeNs - a.cpuTimeNs + b.vcpuDelayNs - a.vcpuDelayNs) / 1e9 / dt) * 100, wr: (b.diskWriteBytes - a.diskWriteBytes) / dt, rss: b.rssKiB! };
    };
    const report = names.map((n) => ({ n, ours: snap.domains.get(n), theirs: theirs(n) }));
    const u = (n: string) => snap.domains.get(n)!;
    const msg = JSON.stringify(report);
    // On a loaded host the busy vCPU gets only part of a host CPU; the rest of its time it waits for one.
    assert.ok(u(busy).cpuPercent + u(busy).cpuWaitPercent >= 85, msg);
    assert.equal(u(busy).fullCpu, true, msg);
    assert.ok(u(busy).cpuPercent >= 3 * u(idle).cpuPercent, msg);
    // An idle guest's timer ticks also wait for a host CPU on a loaded host: what it gets stays near 0.
    assert.ok(u(idle).cpuPercent <= 5 && u(idle).cpuPercent + u(idle).cpuWaitPercent <= 25, msg);
    assert.equal(u(idle).fullCpu, false, msg);
    assert.ok(u(writer).diskWriteBps > 256 * 1024, msg);
    assert.ok(u(idle).diskWriteBps < u(writer).diskWriteBps / 10, msg);
    for (const n of names) {
      const t = theirs(n);
      assert.ok(Math.abs(u(n).cpuPercent - t.cpu) <= 15, `${n} CPU: ${msg}`);
      assert.ok(Math.abs(Math.min(100, u(n).cpuPercent + u(n).cpuWaitPercent) - Math.min(100, t.want)) <= 15, `${n} CPU wanted: ${msg}`);
      assert.ok(Math.abs(u(n).memUsedKiB - t.rss) <= t.rss * 0.1, `${n} memory: ${msg}`);
      assert.equal(u(n).memKiB, 131072);
    }
    assert.equal(snap.hostInfo.cpus, Number(/CPU\(s\):\s+(\d+)/.exec(virsh('nodeinfo'))![1]));
    assert.ok(snap.host.cpuPercent > 0 && snap.host.cpuPercent <= 100);
    assert.ok(snap.host.memUsedKiB > 0 && snap.host.memUsedKiB < snap.host.memTotalKiB);
    console.log(`      figures: ${names.map((n) => `${n.slice(-3)} cpu ${u(n).cpuPercent.toFixed(0)}% +wait ${u(n).cpuWaitPercent.toFixed(0)}% wr ${(u(n).diskWriteBps / 1024).toFixed(0)} KiB/s mem ${(u(n).memUsedKiB / 1024).toFixed(0)} MiB`).join('; ')}; host cpu ${snap.host.cpuPercent.toFixed(0)}%`);
  });

  it('a clone that stopped since the list was made does not fail the refresh: the others are read', async () => {
    const sampler = new UsageSampler(svc);
    const snap = await sampler.sample([busy, `${bed.prefix}-nosuch`]);
    assert.deepEqual([...snap.domains.keys()], [busy]);
  });

  it('top --once: the host line and a row per running clone; the busy one marked full CPU, the writer with a disk write rate', async () => {
    const r = await q(['top', '--once']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^host: CPU \d+% of \d+ CPUs?, memory [\d.]+ [KMGT]iB of [\d.]+ [KMGT]iB$/);
    assert.match(lines[1]!, /^NUMBER\s+NAME\s+CPU\s+WAIT\s+MEM\s+DISK-R\s+DISK-W\s+NET-RX\s+NET-TX\s+MARKS$/);
    const rows = lines.slice(2).map((l) => l.split(/\s{2,}/));
    assert.deepEqual(rows.map((c) => c[1]), [busy, writer, idle], r.stdout);
    const want = (c: string[]) => Number(c[2]!.replace('%', '')) + Number(c[3]!.replace('%', ''));
    assert.ok(want(rows[0]!) >= 85, r.stdout);
    assert.equal(rows[0]![9], 'full CPU', r.stdout);
    assert.ok(Number(rows[2]![2]!.replace('%', '')) <= 5 && want(rows[2]!) <= 25, r.stdout);
    assert.match(rows[1]![6]!, /^(\d+ KiB|[\d.]+ MiB)\/s$/, r.stdout);
    console.log(`      top --once:\n${r.stdout.replace(/^/gm, '        ')}`);
  });

  it('top --once --json agrees with virsh domstats read around it; a SET narrows the rows; a SET of no live machine is a usage error', async () => {
    const names = [busy, writer, idle];
    const t0 = readDomstats(names);
    const r = await q(['top', '--once', '--json', '--interval', '3']);
    const t1 = readDomstats(names);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { seconds: number; host: { cpus: number; memTotalKiB: number }; clones: { id: number; name: string; state: string; cpuPercent: number; cpuWaitPercent: number; memUsedKiB: number; diskWriteBps: number; fullCpu: boolean }[] };
    assert.ok(doc.seconds >= 2.5, r.stdout);
    assert.ok(doc.host.cpus >= 1 && doc.host.memTotalKiB > 0);
    assert.deepEqual(doc.clones.map((c) => [c.id, c.name, c.state]), [[1, busy, 'running'], [2, writer, 'running'], [3, idle, 'running']]);
    const dt = (t1.at - t0.at) / 1000;
    for (const c of doc.clones) {
      const a = t0.s.get(c.name)!;
      const b = t1.s.get(c.name)!;
      const cpu = ((b.cpuTimeNs - a.cpuTimeNs) / 1e9 / dt) * 100;
      assert.ok(Math.abs(c.cpuPercent - cpu) <= 15, `${c.name}: top ${c.cpuPercent}, virsh domstats ${cpu} (${r.stdout})`);
      assert.ok(Math.abs(c.memUsedKiB - b.rssKiB!) <= b.rssKiB! * 0.1, r.stdout);
    }
    assert.equal(doc.clones[0]!.fullCpu, true, r.stdout);
    const one = await q(['top', '3', '--once', '--json', '--interval', '1']);
    assert.deepEqual((JSON.parse(one.stdout) as typeof doc).clones.map((c) => c.name), [idle]);
    const none = await q(['top', 'off', '--once']);
    assert.equal(none.code, 12, none.stderr);
  });

  it('top without --once, not on a terminal: a table per refresh until interrupted', async () => {
    const r = await q(['top', '--interval', '1'], /(^host: [^]*){2}/m);
    const tables = r.stdout.split(/^host: /m).filter(Boolean);
    assert.ok(tables.length >= 2, r.stdout);
    for (const t of tables) assert.match(t, new RegExp(`\\n1\\s+${busy}\\s+\\d+%`));
  });
});
