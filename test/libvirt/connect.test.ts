/**
 * connect, the one implementation of both front ends (libvirt/display/connect.ts), on real clones: stopped clones
 * are started, a viewer is opened on each clone with SPICE graphics, and each clone not connected comes back with
 * its reason as data (no graphics, not SPICE, no viewer installed, SPICE timeout, viewer failed). The viewers are
 * stub programs first on PATH that record their arguments (a real viewer needs a display).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CloneInfo } from '../../src/libvirt/api';
import { connectClones, graphicsOf, type ConnectSettings, type NotConnectedReason } from '../../src/libvirt/display';
import { Libvirt } from '../../src/libvirt';
import { ExternalCommandError, SpiceTimeoutError } from '../../src/core/errors';
import { TestBed, TEST_URI, virsh } from '../testbed';

const SPICE = `    <graphics type='spice' autoport='yes' listen='127.0.0.1'/>\n    <video><model type='qxl'/></video>\n`;
const VNC = `    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>\n`;
/** SPICE graphics without any listen address: `virsh domdisplay` never gives one. */
const SPICE_NO_LISTEN = `    <graphics type='spice'><listen type='none'/></graphics>\n    <video><model type='qxl'/></video>\n`;

describe('connect (the service)', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let svc: Libvirt;
  let bin: string;
  let log: string;
  const savedPath = process.env.PATH;
  const made: Record<'spice' | 'vnc' | 'none' | 'nolisten', CloneInfo[]> = { spice: [], vnc: [], none: [], nolisten: [] };
  const settings = (o: Partial<ConnectSettings> = {}): ConnectSettings => ({ useSpice: true, viewer: 'virt-viewer', spiceTimeout: 10, ...o });
  const state = (c: CloneInfo): string => virsh('domstate', c.uuid).trim();
  const calls = (): string[] => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).sort() : []);
  /** The clones as they are now (states included). */
  const fresh = async (cs: readonly CloneInfo[]): Promise<CloneInfo[]> => {
    const inv = await svc.inventory();
    return cs.map((c) => inv.clones.find((x) => x.uuid === c.uuid)!);
  };
  const kinds = (r: { notConnected: readonly { clone: CloneInfo; why: NotConnectedReason }[] }) => r.notConnected.map((n) => [n.clone.uuid, n.why.kind]);

  before(async () => {
    bed = new TestBed('svcconn');
    svc = new Libvirt({ uri: TEST_URI, home: bed.root });
    for (const [k, devices] of [['spice', SPICE], ['vnc', VNC], ['none', ''], ['nolisten', SPICE_NO_LISTEN]] as const) {
      const tpl = bed.makeTemplateFile(svc.config.templateDir, k, devices);
      made[k] = await svc.clone(tpl.name, k === 'spice' ? 2 : 1);
    }
    bin = path.join(bed.root, 'bin');
    log = path.join(bed.root, 'viewers.log');
    fs.mkdirSync(bin);
    for (const v of ['virt-viewer', 'spicy']) fs.writeFileSync(path.join(bin, v), `#!/bin/sh\necho "${v} $*" >> '${log}'\n`, { mode: 0o755 });
  });
  beforeEach(() => {
    fs.rmSync(log, { force: true });
    process.env.PATH = `${bin}:${savedPath}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
  });
  after(() => {
    process.env.PATH = savedPath;
    svc?.dispose();
    bed?.cleanup();
  });

  it('starts the stopped clones, opens virt-viewer with the URI on each SPICE clone, and says why not on the others', async () => {
    const clones = await fresh([...made.spice, ...made.vnc, ...made.none]);
    assert.deepEqual(clones.map(state), ['shut off', 'shut off', 'shut off', 'shut off']);
    const seen: string[] = [];
    let startedSeen = 0;
    const r = await connectClones(svc, clones, settings(), {
      onStarted: (s) => (startedSeen = s.done.length),
      onClone: (o) => seen.push(o.clone.uuid),
    });
    assert.deepEqual(clones.map(state), ['running', 'running', 'running', 'running']);
    assert.equal(r.started?.done.length, 4);
    assert.equal(startedSeen, 4, 'onStarted was told what was started');
    assert.equal(r.spice, true);
    assert.equal(r.viewer, 'virt-viewer');
    assert.deepEqual(r.connected.map((c) => c.clone.uuid), made.spice.map((c) => c.uuid));
    assert.deepEqual(r.connected.map((c) => [c.command.command, ...c.command.args]), made.spice.map((c) => ['virt-viewer', '--connect', TEST_URI, '--uuid', c.uuid]));
    assert.deepEqual(calls(), made.spice.map((c) => `virt-viewer --connect ${TEST_URI} --uuid ${c.uuid}`).sort());
    assert.deepEqual(kinds(r), [[made.vnc[0]!.uuid, 'not-spice'], [made.none[0]!.uuid, 'no-graphics']]);
    const vnc = r.notConnected[0]!.why;
    assert.ok(vnc.kind === 'not-spice' && vnc.types.join() === 'vnc', JSON.stringify(vnc));
    assert.deepEqual([...seen].sort(), clones.map((c) => c.uuid).sort(), 'onClone was told of every clone');
  });

  it('prefers spicy when asked: it gets the host and port of the running display; nothing is started twice', async () => {
    const [c] = await fresh(made.spice.slice(0, 1));
    const r = await connectClones(svc, [c!], settings({ viewer: 'spicy' }));
    assert.equal(r.started, undefined, 'already running: nothing to start');
    const port = graphicsOf(virsh('dumpxml', c!.uuid))[0]!.port!;
    assert.deepEqual(calls(), [`spicy --host 127.0.0.1 --port ${port}`]);
    assert.equal(r.viewer, 'spicy');
  });

  it('with no viewer installed: "auto" means no SPICE connections, "on" gives no-viewer for the SPICE clones only', async () => {
    process.env.PATH = path.join(bed.root, 'nothing-here');
    const clones = await fresh([made.spice[0]!, made.none[0]!]);
    const auto = await connectClones(svc, clones, settings({ useSpice: undefined }));
    assert.equal(auto.spice, false);
    assert.deepEqual(auto.notConnected, []);
    const on = await connectClones(svc, clones, settings());
    assert.equal(on.viewer, undefined);
    assert.deepEqual(kinds(on), [[made.spice[0]!.uuid, 'no-viewer'], [made.none[0]!.uuid, 'no-graphics']]);
    process.env.PATH = savedPath;
    assert.deepEqual(calls(), []);
  });

  it('a SPICE display with no address within the timeout is a spice-timeout (exit code 17) after that long', async () => {
    const clones = await fresh(made.nolisten);
    const t0 = Date.now();
    const r = await connectClones(svc, clones, settings({ spiceTimeout: 1 }));
    assert.equal(r.started?.done.length, 1);
    assert.equal(state(clones[0]!), 'running');
    const why = r.notConnected[0]?.why;
    assert.ok(why?.kind === 'spice-timeout', JSON.stringify(why));
    assert.equal(why.seconds, 1);
    assert.ok(why.error instanceof SpiceTimeoutError);
    assert.equal(why.error.exitCode, 17);
    assert.ok(Date.now() - t0 >= 1000);
    assert.deepEqual(calls(), []);
  });

  it('a viewer that fails is reported with its message; useSpice off only starts', async () => {
    fs.writeFileSync(path.join(bin, 'virt-viewer'), `#!/bin/sh\necho 'cannot open display: :99' >&2\nexit 1\n`, { mode: 0o755 });
    try {
      const [c] = await fresh(made.spice.slice(0, 1));
      const r = await connectClones(svc, [c!], settings());
      const why = r.notConnected[0]?.why;
      assert.ok(why?.kind === 'failed' && why.error instanceof ExternalCommandError, JSON.stringify(why));
      assert.match(why.error.message, /virt-viewer failed: cannot open display: :99/);
      assert.deepEqual(r.connected, []);
    } finally {
      fs.writeFileSync(path.join(bin, 'virt-viewer'), `#!/bin/sh\necho "virt-viewer $*" >> '${log}'\n`, { mode: 0o755 });
    }
    for (const c of made.spice) virsh('destroy', c.uuid);
    const off = await connectClones(svc, await fresh(made.spice), settings({ useSpice: false }));
    assert.equal(off.spice, false);
    assert.equal(off.started?.done.length, 2);
    assert.deepEqual(made.spice.map(state), ['running', 'running']);
    assert.deepEqual([off.connected, off.notConnected, calls()], [[], [], []]);
  });

  it('a cancel before the start leaves every clone with a reason and none connected', async () => {
    for (const c of made.spice) virsh('destroy', c.uuid);
    const ac = new AbortController();
    ac.abort();
    const r = await connectClones(svc, await fresh(made.spice), settings(), { signal: ac.signal });
    assert.equal(r.started?.cancelled.length, 2);
    assert.deepEqual(r.notConnected.map((n) => n.why.kind), ['cancelled', 'cancelled']);
    assert.deepEqual(made.spice.map(state), ['shut off', 'shut off']);
    assert.deepEqual(calls(), []);
  });
});
