/**
 * Work that grows with the number of clones is bounded, against the real daemon: connect on a SET, the generation
 * scan and the usage scan work on a few clones at a time; a long-lived virsh session keeps a bounded tail of what
 * virsh printed on its own. The service counts its own virsh commands in flight (a subclass that only counts).
 */
import * as assert from 'node:assert/strict';
import type { CloneInfo } from '../../src/libvirt/api';
import { CONNECTS_AT_ONCE, connectClones } from '../../src/libvirt/display';
import { GENERATION_READS, cloneGenerations } from '../../src/libvirt/templates/generations';
import { Libvirt } from '../../src/libvirt';
import { UNSOLICITED_KEPT, VirshSession } from '../../src/libvirt/virsh/session';
import { USAGE_READS, scanUsage } from '../../src/libvirt/storage/usage';
import { TestBed, TEST_URI } from '../testbed';

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

  it(`a long-lived session keeps the newest ${UNSOLICITED_KEPT} lines virsh printed on its own`, async () => {
    const s = new VirshSession(TEST_URI);
    try {
      assert.equal((await s.run(['uri'])).trim(), TEST_URI);
      // What virsh prints on its own between commands ("error: Disconnected from ..." after a daemon restart), many
      // times over, written onto its real stderr pipe while no command runs.
      const err = (s as unknown as { proc: { stderr: NodeJS.EventEmitter } }).proc.stderr;
      const line = (i: number) => `error: Disconnected from ${TEST_URI} due to end of file (${i})`;
      for (let i = 0; i < 1000; i++) err.emit('data', `${line(i)}\n`);
      assert.equal((await s.run(['uri'])).trim(), TEST_URI, 'commands still answer');
      assert.ok(s.unsolicited.length <= UNSOLICITED_KEPT, `kept ${s.unsolicited.length}`);
      assert.equal(s.unsolicited[s.unsolicited.length - 1], line(999), 'the newest are kept');
    } finally {
      s.close();
    }
  });
});
