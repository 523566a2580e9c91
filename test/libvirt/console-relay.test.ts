/**
 * The console's byte channel against real QEMU VNC servers: the relay reads the display from the live XML, answers
 * the server's handshake (none, or VNC authentication with the password from the XML) and offers the page a
 * handshake without authentication; a client on the page's end reads the framebuffer size and the picture, which
 * matches `virsh screenshot`. The test guest boots once (a shell on tty1); tiny domains serve the password and
 * unix socket cases. Nothing new listens on a non-loopback address.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLibvirtService } from '../../src/libvirt';
import type { LibvirtService } from '../../src/libvirt/api';
import { vncDisplay, VncRelay, type VncDisplay } from '../../src/libvirt/display';
import { LibvirtError } from '../../src/core/errors';
import { ensureGuest, guestDomainXml, waitForGuest } from '../guest';
import { TestBed, TEST_URI, qemuImg, tinyDomainXml, virsh } from '../testbed';
import { RfbClient } from '../vnc/rfbClient';
import { greyOf, likeness, screenshotGrey } from '../vnc/grey';
import { pageEnd } from '../vnc/pageEnd';

const PASSWORD = 's3cretpw';
const SOCKET_PW = `    <graphics type='vnc' passwd='${PASSWORD}'><listen type='socket'/></graphics>\n    <video><model type='vga'/></video>\n`;

/** Listening TCP sockets (ss -ltn), local addresses only. */
const listeners = (): string[] =>
  execFileSync('ss', ['-ltnH'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[3])
    .filter((a): a is string => !!a);

/** A relay and a client on its page end. */
async function throughRelay(display: VncDisplay): Promise<{ relay: VncRelay; client: RfbClient; closed: Promise<string | undefined> }> {
  const end = pageEnd();
  let closedWith: (why: string | undefined) => void = () => undefined;
  const closed = new Promise<string | undefined>((r) => (closedWith = r));
  const relay = await VncRelay.open(display, end.toPage, closedWith);
  const client = await RfbClient.connect(end.link((b) => relay.fromPage(b)));
  return { relay, client, closed };
}

describe('console relay against QEMU VNC', function () {
  this.timeout(600_000);
  let bed: TestBed;
  let svc: LibvirtService;
  let guest: string;
  let tiny: string;
  let before0: string[];

  before(async () => {
    before0 = listeners();
    bed = new TestBed('relay');
    svc = createLibvirtService({ uri: TEST_URI, home: path.join(bed.root, 'home') });
    guest = `${bed.prefix}-g`;
    const disk = path.join(bed.root, 'g.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', ensureGuest().rootImage, '-F', 'qcow2', disk);
    fs.writeFileSync(path.join(bed.root, 'g.xml'), guestDomainXml({ name: guest, disk, vnc: true }));
    virsh('define', path.join(bed.root, 'g.xml'));
    tiny = `${bed.prefix}-pw`;
    fs.writeFileSync(path.join(bed.root, 'pw.xml'), tinyDomainXml({ name: tiny, disk: bed.makeDisk('pw.qcow2'), devices: SOCKET_PW }));
    virsh('define', path.join(bed.root, 'pw.xml'));
    virsh('start', guest);
    virsh('start', tiny);
    await waitForGuest(guest);
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  it('reads 127.0.0.1 and the port from the live XML; the page end gets the 720x400 screen that virsh screenshot shows', async () => {
    const d = await vncDisplay(svc, virsh('domuuid', guest).trim());
    assert.equal(d.address.kind, 'tcp');
    assert.equal(d.address.kind === 'tcp' && d.address.host, '127.0.0.1');
    assert.equal(d.password, undefined);
    const { relay, client } = await throughRelay(d);
    try {
      assert.deepEqual([client.width, client.height], [720, 400]);
      const got = client.nextUpdate();
      client.requestUpdate(false);
      await got;
      const shot = path.join(bed.root, 'shot');
      virsh('screenshot', guest, shot);
      const l = likeness(greyOf(client.width, client.height, client.fb, 'bgrx'), screenshotGrey(fs.readFileSync(shot)));
      assert.ok(l.inkedBlocks > 0.005, `the screen is not blank: ${JSON.stringify(l)}`);
      assert.ok(l.differentBlocks < 0.05 && l.meanDiff < 4, `relayed picture and screenshot alike: ${JSON.stringify(l)}`);
    } finally {
      relay.close();
    }
  });

  it('answers VNC authentication with the password of the XML on a unix socket; a wrong one is refused', async () => {
    const d = await vncDisplay(svc, virsh('domuuid', tiny).trim());
    assert.equal(d.address.kind, 'unix');
    assert.equal(d.password, PASSWORD);
    const { relay, client } = await throughRelay(d);
    assert.ok(client.width > 0 && client.height > 0, `${client.width}x${client.height}`);
    relay.close();
    await assert.rejects(
      VncRelay.open({ ...d, password: 'wrong' }, () => undefined, () => undefined),
      (e: unknown) => e instanceof LibvirtError && /refused the authentication/.test(e.message),
    );
    await assert.rejects(
      VncRelay.open({ address: d.address }, () => undefined, () => undefined),
      (e: unknown) => e instanceof LibvirtError && /asks for a password/.test(e.message),
    );
  });

  it('says when the guest stops: the relay closes', async () => {
    const { closed } = await throughRelay(await vncDisplay(svc, virsh('domuuid', tiny).trim()));
    virsh('destroy', tiny);
    assert.match((await closed) ?? '', /closed the connection|failed/);
  });

  it('nothing listens on a non-loopback address that did not before', () => {
    const now = listeners().filter((a) => !before0.includes(a));
    const open = now.filter((a) => !/^(127\.\d+\.\d+\.\d+|\[::1\]):\d+$/.test(a));
    assert.deepEqual(open, [], `new listeners: ${now.join(' ')}`);
  });
});
