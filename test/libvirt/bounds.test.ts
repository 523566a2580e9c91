/**
 * Work that grows with the number of clones is bounded, against the real daemon: connect on a SET, the generation
 * scan and the usage scan work on a few clones at a time; a long-lived virsh session keeps a bounded tail of what
 * virsh printed on its own (the daemon closes the session's connection, through virt-admin). The service counts its
 * own virsh commands in flight (a subclass that only counts).
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import type { CloneInfo } from '../../src/libvirt/api';
import { CONNECTS_AT_ONCE, connectClones } from '../../src/libvirt/display';
import { GENERATION_READS, cloneGenerations } from '../../src/libvirt/templates/generations';
import { Libvirt } from '../../src/libvirt';
import { UNSOLICITED_KEPT, VirshSession } from '../../src/libvirt/virsh/session';
import { USAGE_READS, scanUsage } from '../../src/libvirt/storage/usage';
import { TestBed, TEST_URI } from '../testbed';
import { daemonPid } from '../daemon';

/** The admin interface of the daemon that serves TEST_URI's domains (virtqemud in modular mode, else libvirtd). */
function adminServer(): { uri: string; server: string } {
  const server = daemonPid('virtqemud') ? 'virtqemud' : 'libvirtd';
  return { uri: `${server}:///system`, server };
}

/** The daemon's id for the connection of the process `pid`, among clients numbered above `after`. */
function clientOf(admin: { uri: string; server: string }, pid: number, after: number): number {
  const list = execFileSync('virt-admin', ['-c', admin.uri, 'client-list', admin.server], { encoding: 'utf8' });
  const ids = [...list.matchAll(/^\s*(\d+)\s+unix\b/gm)].map((m) => Number(m[1])).filter((id) => id > after);
  for (const id of ids) {
    // Other processes' clients come and go meanwhile: one gone since the list says no more.
    const info = spawnSync('virt-admin', ['-c', admin.uri, 'client-info', admin.server, String(id)], { encoding: 'utf8' });
    if (new RegExp(`^unix_process_id\\s*:\\s*${pid}$`, 'm').test(info.stdout ?? '')) return id;
  }
  throw new Error(`no connection of virsh (pid ${pid}) among the daemon's clients: ${list}`);
}

/** Counts, per virsh command name, how many run at once at most (and what clone they name, when they do). */
class Counting extends Libvirt {
  private readonly now = new Map<string, number>();
  readonly peak = new Map<string, number>();
  private count(args: readonly string[], uuids: ReadonlySet<string>): (() => void) | undefined {
    if (!args.some((a) => uuids.has(a))) return undefined;
    const k = args[0]!;
    const n = (this.now.get(k) ?? 0) + 1;
    this.now.set(k, n);
    this.peak.set(k, Math.max(n, this.peak.get(k) ?? 0));
    return () => this.now.set(k, this.now.get(k)! - 1);
  }
  watched = new Set<string>();
  override async virsh(args: readonly string[], signal?: AbortSignal): Promise<string> {
    const done = this.count(args, this.watched);
    try {
      return await super.virsh(args, signal);
    } finally {
      done?.();
    }
  }
}

describe('bounded work over many clones', function () {
  this.timeout(300_000);
  const N = 14;
  let bed: TestBed;
  let svc: Counting;
  let clones: CloneInfo[];

  before(async () => {
    bed = new TestBed('bnd');
    svc = new Counting({ uri: TEST_URI, home: bed.root });
    const tpl = bed.makeTemplateFile(svc.config.templateDir, 'many', "    <graphics type='spice' autoport='yes'/>\n");
    clones = await svc.clone(tpl.name, N);
    svc.watched = new Set(clones.map((c) => c.uuid));
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });
  beforeEach(() => svc.peak.clear());

  it(`connect on a SET of ${N} clones waits for displays ${CONNECTS_AT_ONCE} at a time`, async () => {
    // Said to be running, they are off: each display poll runs its 1 s out, as a slow display would.
    const running = clones.map((c) => ({ ...c, state: 'running' as const }));
    const r = await connectClones(svc, running, { useSpice: true, viewer: 'virt-viewer', spiceTimeout: 1 });
    assert.equal(r.notConnected.length, N, JSON.stringify(r.notConnected.map((n) => n.why)));
    const timedOut = (n: (typeof r.notConnected)[number]) =>
      n.why.kind === 'spice-timeout' && n.why.seconds === 1 && /SPICE display .* not available within 1 s/.test(n.why.error.message);
    assert.ok(r.notConnected.every(timedOut), JSON.stringify(r.notConnected[0]?.why));
    const peak = svc.peak.get('domdisplay') ?? 0;
    assert.ok(peak >= 2 && peak <= CONNECTS_AT_ONCE, `domdisplay polls at once: ${peak}`);
  });

  it(`the generation scan reads ${GENERATION_READS} clones at a time`, async () => {
    const g = await cloneGenerations(svc, clones);
    assert.deepEqual(g.map((x) => x.generation), clones.map(() => 1));
    const peak = svc.peak.get('dumpxml') ?? 0;
    assert.ok(peak >= 2 && peak <= GENERATION_READS, `dumpxml at once: ${peak}`);
  });

  it(`the usage scan reads ${USAGE_READS} domains at a time`, async () => {
    const u = await scanUsage(svc);
    for (const c of clones) assert.ok(u.domains.has(c.uuid));
    const peak = svc.peak.get('dumpxml') ?? 0;
    assert.ok(peak >= 2 && peak <= USAGE_READS, `dumpxml at once: ${peak}`);
  });

  it(`a long-lived session keeps at most ${UNSOLICITED_KEPT} lines of those virsh printed on its own (the daemon closing its connection again and again)`, async () => {
    const seen: string[] = [];
    const s = new VirshSession(TEST_URI, undefined, (line) => seen.push(line));
    const admin = adminServer();
    try {
      assert.equal((await s.run(['uri'])).trim(), TEST_URI);
      const proc = (s as unknown as { proc: { pid: number; stderr: NodeJS.ReadableStream } }).proc;
      // Each time the daemon drops this session's connection (only this one: found by virsh's pid), virsh prints
      // "error: Disconnected from ..." on its own, and "error: Reconnected to the hypervisor" before the next command.
      const cycles = UNSOLICITED_KEPT / 2 + 5;
      let after = 0;
      for (let i = 0; i < cycles; i++) {
        after = clientOf(admin, proc.pid, after);
        const disconnected = new Promise<void>((resolve) => {
          const onData = (d: string) => {
            if (!d.includes('error: Disconnected from')) return;
            proc.stderr.off('data', onData);
            resolve();
          };
          proc.stderr.on('data', onData);
        });
        execFileSync('virt-admin', ['-c', admin.uri, 'client-disconnect', admin.server, String(after)], { stdio: 'pipe' });
        await disconnected;
        assert.equal((await s.run(['version', '--daemon'])).includes('Running against daemon'), true, 'commands still answer');
      }
      assert.ok(seen.length >= 2 * cycles, `virsh printed ${seen.length} lines of its own over ${cycles} disconnections`);
      for (const l of seen) assert.match(l, new RegExp(`^error: (Disconnected from ${TEST_URI} |Reconnected to the hypervisor)`));
      assert.equal(s.unsolicited.length, UNSOLICITED_KEPT, 'at most, and as many as there were');
      assert.deepEqual(s.unsolicited, seen.slice(-UNSOLICITED_KEPT));
    } finally {
      s.close();
    }
  });
});
