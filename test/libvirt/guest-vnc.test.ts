/**
 * The test guest on a graphical display: with `vnc: true` it has a VNC display on 127.0.0.1 and a VGA card, the
 * kernel speaks on tty0 as well as ttyS0, and a shell runs on tty1, so its screen shows a prompt (what the console
 * tab shows and types into). One boot.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureGuest, guestDomainXml, guestExec, waitForGuest } from '../guest';
import { TestBed, qemuImg, virsh } from '../testbed';
import { graphicsOf, pictureInfo } from '../../src/libvirt/display';
import { screenshotGrey } from '../vnc/grey';

describe('test guest with a VNC display: a shell on tty1', function () {
  this.timeout(600_000);
  let bed: TestBed;
  let dom: string;

  before(() => {
    bed = new TestBed('gvnc');
    dom = `${bed.prefix}-g`;
    const disk = path.join(bed.root, 'g.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', ensureGuest().rootImage, '-F', 'qcow2', disk);
    const xml = path.join(bed.root, 'g.xml');
    fs.writeFileSync(xml, guestDomainXml({ name: dom, disk, vnc: true }));
    virsh('define', xml);
  });
  after(() => bed?.cleanup());

  it('listens on 127.0.0.1 only, consoles on tty0 and ttyS0, a prompt on tty1, a 720x400 text screen', async () => {
    virsh('start', dom);
    await waitForGuest(dom);
    const [g] = graphicsOf(virsh('dumpxml', dom));
    assert.equal(g?.type, 'vnc');
    assert.equal(g?.listen, '127.0.0.1');
    assert.ok(g?.port && g.port >= 5900, `a port was given: ${JSON.stringify(g)}`);
    const consoles = await guestExec(dom, ['cat', '/sys/class/tty/console/active']);
    assert.deepEqual(consoles.stdout.trim().split(/\s+/).sort(), ['tty0', 'ttyS0']);
    // The shell on tty1 prints its prompt once respawned by init; /dev/vcs1 is the text of the screen.
    let screen = '';
    for (let i = 0; i < 100 && !/# /.test(screen); i++) {
      screen = (await guestExec(dom, ['cat', '/dev/vcs1'])).stdout;
      if (!/# /.test(screen)) await new Promise((r) => setTimeout(r, 300));
    }
    assert.match(screen, /[/~] # /, `tty1 shows a root prompt: ${JSON.stringify(screen.replace(/ +/g, ' '))}`);
    const shot = path.join(bed.root, 'shot');
    virsh('screenshot', dom, shot);
    const info = pictureInfo(fs.readFileSync(shot));
    assert.deepEqual([info?.width, info?.height], [720, 400]);
  });

  it("the screen shows tty1's text: cleared it is dark, written rows of text light it (the kernel's VGA text console, not a dummy one)", async () => {
    /** Pixels of the screen now with some light (text mode draws light grey on black). */
    const litPixels = (): number => {
      const shot = path.join(bed.root, 'lit');
      virsh('screenshot', dom, shot);
      return screenshotGrey(fs.readFileSync(shot)).grey.filter((g) => g > 0x60).length;
    };
    assert.equal((await guestExec(dom, ['sh', '-c', "printf '\\033[2J\\033[H' > /dev/tty1"])).exitCode, 0);
    const dark = litPixels();
    const row = 'M'.repeat(79);
    assert.equal((await guestExec(dom, ['sh', '-c', `for i in 1 2 3 4 5 6 7 8; do echo ${row}; done > /dev/tty1`])).exitCode, 0);
    const drawn = litPixels();
    // At most the cursor is lit on a cleared screen; 632 glyphs of M light tens of pixels each.
    assert.ok(dark < 300, `a cleared tty1 leaves the screen dark: ${dark} lit pixels`);
    assert.ok(drawn > 632 * 20, `eight rows of text are drawn: ${drawn} lit pixels (${dark} when cleared)`);
  });
});
