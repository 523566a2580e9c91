/**
 * What reaches a virsh session line (real virsh, real daemon): virsh reads it through its line editor, so a control
 * character in a name edits the line before virsh parses it, and the editor's settings decide how non-ASCII text is
 * echoed (the session finds a reply's start by its echo). Control characters are refused before anything is written;
 * non-ASCII names, paths and descriptions are answered exactly whatever the user's readline configuration says.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ControlCharacterError } from '../../src/libvirt/virsh';
import { VirshSession } from '../../src/libvirt/virsh/session';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import { redefineClone } from '../../src/libvirt/clones/redefine';
import { TestBed, TEST_URI, domstateBecomes, tinyDomainXml, tryVirsh, virsh } from '../testbed';

/** A reply without its line end (virsh's echo ends its output without one in a session). */
const text = (reply: string): string => reply.replace(/\n$/, '');

describe('virsh session input: control characters refused, non-ASCII answered exactly', function () {
  this.timeout(300_000);
  let bed: TestBed;
  let svc: Libvirt;
  let n = 0;
  const savedEnv = { HOME: process.env.HOME, INPUTRC: process.env.INPUTRC };

  /** A new domain of the bed (shut off unless started): name, UUID, inactive XML. */
  function domain(name?: string, extra = ''): { name: string; uuid: string; xml: string } {
    n += 1;
    name ??= `${bed.prefix}-d${n}`;
    const file = path.join(bed.root, `d${n}.xml`);
    fs.writeFileSync(file, tinyDomainXml({ name, disk: bed.makeDisk(`d${n}.qcow2`), mac: `52:54:00:aa:cc:${String(n).padStart(2, '0')}` }).replace('</name>', `</name>${extra}`));
    virsh('define', file);
    const uuid = virsh('domuuid', name).trim();
    return { name, uuid, xml: virsh('dumpxml', '--inactive', uuid) };
  }

  before(() => {
    bed = new TestBed('sessin');
  });
  after(() => {
    svc?.dispose();
    process.env.HOME = savedEnv.HOME;
    if (savedEnv.INPUTRC === undefined) delete process.env.INPUTRC;
    else process.env.INPUTRC = savedEnv.INPUTRC;
    bed?.cleanup();
  });

  it('refuses a rename to "<DEL>x; destroy OTHER": nothing is written, the other domain keeps running', async () => {
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
    const d = domain();
    const other = domain();
    virsh('start', other.uuid);
    assert.equal(await domstateBecomes(other.name, 'running'), 'running (booted)');
    // libvirt itself takes DEL in a name (XML 1.0 allows it): only the line editor makes it dangerous.
    const evil = `\x7f${bed.prefix}-x; destroy ${other.name}; echo `;
    const xml = d.xml.replace(`<name>${d.name}</name>`, `<name>${evil}</name>`);
    let error: unknown;
    try {
      await redefineClone(svc, d, xml);
    } catch (e) {
      error = e;
    } finally {
      // Today's code renamed the domain to "<prefix>-x" on the way: put it back by UUID so the bed removes it.
      const now = tryVirsh('domname', d.uuid)?.trim();
      if (now && now !== d.name) tryVirsh('domrename', d.uuid, d.name);
    }
    assert.equal(virsh('domstate', other.uuid).trim(), 'running', `${other.name} is still running`);
    assert.ok(error instanceof ControlCharacterError, `refused with ControlCharacterError, got: ${String(error)}`);
    assert.match(error.message, /contains the control character U\+007F \(column 1\), which cannot be passed to virsh: remove it/);
    assert.equal(error.exitCode, 12);
    assert.equal(virsh('domname', d.uuid).trim(), d.name, 'the domain kept its name');
  });

  it('refuses every control character in any argument, before writing, and the session goes on', async () => {
    const s = new VirshSession(TEST_URI);
    try {
      for (let c = 0; c < 0x20; c++) {
        await assert.rejects(s.run(['echo', '--', `a${String.fromCharCode(c)}b`]), ControlCharacterError, `U+${c.toString(16)}`);
      }
      await assert.rejects(s.run(['domuuid', '--', 'x\x7f']), ControlCharacterError);
      assert.equal(text(await s.run(['echo', '--', 'still framed'])), 'still framed');
      assert.deepEqual(s.unsolicited, []);
    } finally {
      s.close();
    }
  });

  it('frames every reply right for random arguments, pipelined 25 at a time (fast-check, 1000 arguments)', async () => {
    const s = new VirshSession(TEST_URI);
    const TRICKY = [...`'"\\;# -=_:/.,@+$\`()*?[]{}|<>&!~^%`, 'é', '東', '🙂', '\u2028', '\uFEFF', '__Q2C', 'virsh # ', '--', "'\\''"];
    const arg = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 30 }),
    ).filter((a) => !/[\x00-\x1f\x7f]/.test(a));
    let tried = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(arg, { minLength: 25, maxLength: 25 }), async (words) => {
          tried += words.length;
          const replies = await Promise.all(words.map((w) => s.run(['echo', '--', w])));
          replies.forEach((r, i) => assert.equal(text(r), words[i]));
        }),
        { numRuns: 40 },
      );
      assert.equal(tried, 1000);
      assert.deepEqual(s.unsolicited, []);
    } finally {
      s.close();
    }
  });

  it('answers non-ASCII names, paths and descriptions exactly, whatever ~/.inputrc and /etc/inputrc say', async () => {
    // A user whose readline is not 8-bit clean (readline's defaults under LC_ALL=C: no /etc/inputrc, or a
    // ~/.inputrc that does not set output-meta): the line editor echoes é as \303\251.
    const home = path.join(bed.root, 'home');
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(home, '.inputrc'), 'set output-meta off\n');
    process.env.HOME = home;
    delete process.env.INPUTRC;
    const s = new VirshSession(TEST_URI);
    const own = createLibvirtService({ uri: TEST_URI, home: bed.root });
    try {
      const word = 'café naïve Ærø 東京 🙂';
      assert.equal(text(await s.run(['echo', '--', word])), word);
      const dir = path.join(bed.root, 'répertoire ü');
      fs.mkdirSync(dir);
      const name = `${bed.prefix}-Ωmega-éé`;
      const desc = 'Beschreibung: Größe über alles; <b>ça</b> & 東京';
      const d = domain(name, `<description>${desc.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</description>`);
      assert.equal((await s.run(['domuuid', '--', name])).trim(), d.uuid);
      assert.equal((await s.run(['domname', d.uuid])).trim(), name);
      assert.equal((await s.run(['desc', d.uuid, '--config'])).trim(), desc);
      const file = path.join(dir, 'disk é.qcow2');
      fs.copyFileSync(path.join(bed.root, `d${n}.qcow2`), file);
      await s.run(['detach-disk', d.uuid, 'vda', '--config']);
      await s.run(['attach-disk', d.uuid, file, 'vda', '--subdriver', 'qcow2', '--config']);
      // (Not domblklist: virsh's tables print non-ASCII as \xff under LC_ALL=C; the product reads no table of names.)
      assert.ok((await s.run(['dumpxml', '--inactive', d.uuid])).includes(`<source file='${file}'/>`), 'the disk path reads back');
      // Through the service: the foreign domain is listed under its name.
      const inv = await own.inventory();
      assert.ok(inv.foreign.some((f) => f.name === name), 'the inventory lists it by its name');
      assert.deepEqual(s.unsolicited, [], 'no echo was taken for output of its own');
    } finally {
      s.close();
      own.dispose();
    }
  });
});
