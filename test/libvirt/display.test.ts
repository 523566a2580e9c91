// Graphics against the real daemon: graphics in the XML, SPICE address, viewer command lines, detached viewer
// start (a stub viewer records its arguments), and screenshots of running domains.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { TestBed, TEST_URI, tinyDomainXml, virsh, pollUntil } from '../testbed';
import {
  chooseViewer,
  consoleCommand,
  findOnPath,
  graphicsOf,
  launchViewer,
  oneShotVirsh,
  parseSpiceUri,
  screenshot,
  viewerCommand,
  waitForSpice,
} from '../../src/libvirt/display/display';
import { pictureInfo, ppmToPng } from '../../src/libvirt/display/png';
import { ExternalCommandError, LibvirtError, SpiceTimeoutError } from '../../src/core/errors';
import { createLibvirtService } from '../../src/libvirt';
import { virshFor } from '../../src/libvirt/display/display';

const SPICE = `    <graphics type='spice' autoport='yes' listen='127.0.0.1'/>\n    <video><model type='qxl'/></video>\n`;
const VNC = `    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>\n`;

describe('display (libvirt)', function () {
  const bed = new TestBed('disp');
  const uuids: Record<string, string> = {};

  before(() => {
    for (const [short, devices] of [['spice', SPICE], ['vnc', VNC], ['none', '']] as const) {
      const name = `${bed.prefix}-${short}`;
      const xml = path.join(bed.root, `${short}.xml`);
      fs.writeFileSync(xml, tinyDomainXml({ name, disk: bed.makeDisk(`${short}.qcow2`), devices }));
      virsh('define', xml);
      virsh('start', name);
      uuids[short] = virsh('domuuid', name).trim();
    }
  });
  after(() => bed.cleanup());

  it('reads the graphics devices of a live domain XML', () => {
    const spice = graphicsOf(virsh('dumpxml', uuids.spice!));
    assert.equal(spice.length, 1);
    assert.equal(spice[0]!.type, 'spice');
    assert.ok(spice[0]!.port! >= 5900, JSON.stringify(spice));
    assert.deepEqual(graphicsOf(virsh('dumpxml', uuids.vnc!)).map((g) => g.type), ['vnc']);
    assert.deepEqual(graphicsOf(virsh('dumpxml', uuids.none!)), []);
  });

  it('waits for the SPICE address and builds both viewer command lines from it', async () => {
    const address = await waitForSpice(oneShotVirsh(TEST_URI), uuids.spice!, 10_000);
    const port = graphicsOf(virsh('dumpxml', uuids.spice!))[0]!.port!;
    assert.equal(address, `spice://127.0.0.1:${port}`);
    assert.deepEqual(viewerCommand('spicy', TEST_URI, uuids.spice!, address), {
      command: 'spicy',
      args: ['--host', '127.0.0.1', '--port', String(port)],
    });
    assert.deepEqual(viewerCommand('virt-viewer', TEST_URI, uuids.spice!), {
      command: 'virt-viewer',
      args: ['--connect', TEST_URI, '--uuid', uuids.spice!],
    });
    assert.deepEqual(parseSpiceUri('spice://[::1]:5901?tls-port=5902'), { host: '::1', port: 5901, tlsPort: 5902 });
  });

  it('times out with exit code 17 when a domain has no SPICE display', async () => {
    const t0 = Date.now();
    await assert.rejects(waitForSpice(oneShotVirsh(TEST_URI), uuids.vnc!, 600), (e: unknown) => {
      assert.ok(e instanceof SpiceTimeoutError);
      assert.equal(e.exitCode, 17);
      assert.match(e.message, /spice/i);
      return true;
    });
    assert.ok(Date.now() - t0 >= 600);
  });

  it('takes a PNG screenshot of a running domain with VNC and with SPICE graphics', async () => {
    for (const which of ['vnc', 'spice']) {
      const file = path.join(bed.root, `${which}.png`);
      const info = await screenshot(oneShotVirsh(TEST_URI), uuids[which]!, file);
      const data = fs.readFileSync(file);
      assert.deepEqual(pictureInfo(data), info);
      assert.equal(info.kind, 'png');
      assert.ok(info.width >= 320 && info.height >= 200, JSON.stringify(info));
      assert.deepEqual(fs.readdirSync(bed.root).filter((f) => f.includes('.raw') || f.endsWith('.part')), []);
    }
  });

  it("works the same through the service's virsh sessions", async () => {
    const service = createLibvirtService({ uri: TEST_URI, home: bed.root });
    try {
      const v = virshFor(service);
      const port = graphicsOf(virsh('dumpxml', uuids.spice!))[0]!.port!;
      assert.equal(await waitForSpice(v, uuids.spice!, 10_000), `spice://127.0.0.1:${port}`);
      const file = path.join(bed.root, 'session shot.png');
      const info = await screenshot(v, uuids.vnc!, file);
      assert.deepEqual(pictureInfo(fs.readFileSync(file)), info);
      await assert.rejects(screenshot(v, uuids.none!, path.join(bed.root, 'n.png')), /no screens/);
      assert.ok(service.sessions >= 1, 'the commands went through a session');
    } finally {
      service.dispose();
    }
  });

  it('says so when the domain has no display to take a screenshot of', async () => {
    await assert.rejects(screenshot(oneShotVirsh(TEST_URI), uuids.none!, path.join(bed.root, 'none.png')), (e: unknown) => {
      assert.ok(e instanceof LibvirtError, String(e));
      assert.match(e.message, /no screens/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(bed.root, 'none.png')), false);
  });

  it('starts a viewer detached and reports one that fails', async () => {
    const stub = path.join(bed.root, 'bin', 'virt-viewer');
    const record = path.join(bed.root, 'viewer-args');
    fs.mkdirSync(path.dirname(stub), { recursive: true });
    // A viewer that runs until it is ended (exec: the pid is the one to end); it writes its arguments first.
    fs.writeFileSync(stub, `#!/bin/bash\nprintf '%s\\n' "$@" > '${record}.part' && mv '${record}.part' '${record}'\nexec sleep 600\n`, { mode: 0o755 });
    assert.equal(findOnPath('virt-viewer', `${path.dirname(stub)}:/usr/bin`), stub);
    const cmd = viewerCommand('virt-viewer', TEST_URI, uuids.spice!);
    const r = await launchViewer({ ...cmd, command: stub }, 300);
    assert.ok(r.pid);
    try {
      await pollUntil('the viewer to write its arguments', () => fs.existsSync(record));
      assert.equal(fs.readFileSync(record, 'utf8'), `--connect\n${TEST_URI}\n--uuid\n${uuids.spice}\n`);
    } finally {
      process.kill(r.pid);
    }

    // One that fails is reported when it ends: the settle time is long, so only its end can decide.
    fs.writeFileSync(stub, `#!/bin/bash\necho 'cannot open display' >&2\nexit 3\n`, { mode: 0o755 });
    await assert.rejects(launchViewer({ ...cmd, command: stub }, 120_000), (e: unknown) => {
      assert.ok(e instanceof ExternalCommandError);
      assert.match(e.message, /cannot open display/);
      assert.equal(e.failure.exitCode, 3);
      return true;
    });
  });

  it('chooses the preferred viewer when installed, else the other one', () => {
    assert.equal(chooseViewer('spicy', ['virt-viewer', 'spicy']), 'spicy');
    assert.equal(chooseViewer('spicy', ['virt-viewer']), 'virt-viewer');
    assert.equal(chooseViewer('virt-viewer', []), undefined);
    assert.deepEqual(consoleCommand(TEST_URI, uuids.none!), { command: 'virsh', args: ['-c', TEST_URI, 'console', uuids.none!] });
  });
});

describe('PPM to PNG', () => {
  it('keeps every pixel and the size', () => {
    const w = 5;
    const h = 3;
    const pixels = Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256));
    const ppm = Buffer.concat([Buffer.from(`P6\n# made by a test\n${w} ${h}\n255\n`, 'latin1'), pixels]);
    assert.deepEqual(pictureInfo(ppm), { kind: 'ppm', width: w, height: h });
    const png = ppmToPng(ppm);
    assert.deepEqual(pictureInfo(png), { kind: 'png', width: w, height: h });
    // IDAT holds one filter byte (0) per row, then the row's RGB samples.
    const idatLen = png.readUInt32BE(33);
    assert.equal(png.toString('latin1', 37, 41), 'IDAT');
    const raw = zlib.inflateSync(png.subarray(41, 41 + idatLen));
    for (let y = 0; y < h; y++) {
      assert.equal(raw[y * (w * 3 + 1)], 0);
      assert.deepEqual(raw.subarray(y * (w * 3 + 1) + 1, (y + 1) * (w * 3 + 1)), pixels.subarray(y * w * 3, (y + 1) * w * 3));
    }
    assert.throws(() => ppmToPng(Buffer.from('P3\n1 1\n255\n0 0 0\n')), /P6/);
  });
});
