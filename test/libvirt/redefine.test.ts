/**
 * redefineClone against the real daemon: a new name goes through domrename, a new UUID replaces the definition;
 * refusals (running, managed save) change nothing; a failed define or undefine leaves the old domain as it was.
 * Plain domains of the test bed (the clone metadata plays no part in libvirt's side of this).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LibvirtError, UsageError } from '../../src/core/errors';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import { redefineClone, saveEditedClone } from '../../src/libvirt/clones/redefine';
import { TestBed, TEST_URI, tinyDomainXml, virsh, domainExists } from '../testbed';

describe('libvirt: redefine a clone under a new name or UUID', function () {
  let bed: TestBed;
  let svc: Libvirt;
  let n = 0;

  /** A new shut-off domain of the bed: its name, UUID and inactive XML. */
  function domain(): { name: string; uuid: string; xml: string } {
    n += 1;
    const name = `${bed.prefix}-d${n}`;
    const file = path.join(bed.root, `d${n}.xml`);
    fs.writeFileSync(file, tinyDomainXml({ name, disk: bed.makeDisk(`d${n}.qcow2`) }));
    virsh('define', file);
    return { name, uuid: virsh('domuuid', name).trim(), xml: virsh('dumpxml', '--inactive', name) };
  }
  const withName = (xml: string, from: string, to: string): string => xml.replace(`<name>${from}</name>`, `<name>${to}</name>`);
  const withUuid = (xml: string, from: string, to: string): string => xml.replace(`<uuid>${from}</uuid>`, `<uuid>${to}</uuid>`);

  before(() => {
    bed = new TestBed('redef');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  it('renames a shut-off domain: same UUID, new name, new XML defined, disks unchanged', async () => {
    const d = domain();
    const disks = virsh('domblklist', d.name);
    const xml = withName(d.xml, d.name, `${d.name}-new`).replace(/<memory unit='KiB'>\d+/, "<memory unit='KiB'>49152");
    const r = await redefineClone(svc, d, xml);
    assert.deepEqual(r, { uuid: d.uuid, name: `${d.name}-new`, renamed: true, newUuid: false });
    assert.equal(virsh('domuuid', `${d.name}-new`).trim(), d.uuid);
    assert.equal(domainExists(d.name), false);
    assert.match(virsh('dumpxml', '--inactive', `${d.name}-new`), /<memory unit='KiB'>49152</);
    assert.equal(virsh('domblklist', `${d.name}-new`), disks);
  });

  it('replaces the definition for a new UUID, with the same name and with a new one', async () => {
    const d = domain();
    const u1 = randomUUID();
    const r1 = await redefineClone(svc, d, withUuid(d.xml, d.uuid, u1));
    assert.deepEqual(r1, { uuid: u1, name: d.name, renamed: false, newUuid: true });
    assert.equal(virsh('domuuid', d.name).trim(), u1);
    assert.equal(domainExists(d.uuid), false);
    const u2 = randomUUID();
    const xml2 = withName(withUuid(virsh('dumpxml', '--inactive', d.name), u1, u2), d.name, `${d.name}-b`);
    await redefineClone(svc, { uuid: u1, name: d.name }, xml2);
    assert.equal(virsh('domuuid', `${d.name}-b`).trim(), u2);
    assert.equal(domainExists(u1), false);
    assert.equal(domainExists(d.name), false);
    assert.deepEqual(bed.domains().filter((x) => x.startsWith(d.name)), [`${d.name}-b`]);
  });

  it('refuses a running domain (rename or new UUID) and a saved one (new UUID), changing nothing', async () => {
    const d = domain();
    virsh('start', d.name);
    await assert.rejects(redefineClone(svc, d, withName(d.xml, d.name, `${d.name}-x`)), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, `${d.name} is running: shut it off first, then save again to rename it.`);
      return true;
    });
    await assert.rejects(redefineClone(svc, d, withUuid(d.xml, d.uuid, randomUUID())), /is running: shut it off first, then save again to change its UUID/);
    virsh('suspend', d.name);
    await assert.rejects(redefineClone(svc, d, withName(d.xml, d.name, `${d.name}-x`)), /is paused: shut it off first/);
    virsh('resume', d.name);
    virsh('managedsave', d.name);
    await assert.rejects(redefineClone(svc, d, withUuid(d.xml, d.uuid, randomUUID())), /has a saved state that belongs to its current UUID/);
    assert.match(virsh('dominfo', d.name), /Managed save:\s+yes/);
    assert.equal(virsh('domuuid', d.name).trim(), d.uuid);
    assert.equal(virsh('dumpxml', '--inactive', d.name), d.xml);
    assert.deepEqual(bed.domains().filter((x) => x.startsWith(d.name)), [d.name]);
  });

  it('leaves the old domain as it was when libvirt rejects the new definition', async () => {
    const d = domain();
    const broken = (xml: string): string => xml.replace(/<emulator>[^<]*<\/emulator>/, '<emulator>/nonexistent/qemu</emulator>');
    for (const xml of [withName(d.xml, d.name, `${d.name}-x`), withUuid(d.xml, d.uuid, randomUUID())]) {
      await assert.rejects(redefineClone(svc, d, broken(xml)), (e: unknown) => {
        assert.ok(e instanceof LibvirtError, String(e));
        assert.match(e.message, new RegExp(`^Not saved: defining the new XML failed \\(.*\\); ${d.name} (keeps its name and definition|is unchanged)\\.$`));
        return true;
      });
      assert.equal(virsh('domuuid', d.name).trim(), d.uuid);
      assert.equal(virsh('dumpxml', '--inactive', d.name), d.xml);
      assert.deepEqual(bed.domains().filter((x) => x.startsWith(d.name)), [d.name]);
    }
  });

  it('refuses a new UUID for a domain with a snapshot before defining anything (libvirt would not remove the old one)', async () => {
    const d = domain();
    virsh('snapshot-create-as', d.name, 'keep');
    const u = randomUUID();
    await assert.rejects(redefineClone(svc, d, withUuid(d.xml, d.uuid, u)), (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.match(e.message, new RegExp(`^${d.name} has 1 snapshot \\(keep\\), which libvirt keeps under its UUID: `));
      return true;
    });
    assert.equal(virsh('domuuid', d.name).trim(), d.uuid);
    assert.equal(domainExists(u), false);
    assert.deepEqual(bed.domains().filter((x) => x.startsWith(d.name)), [d.name]);
    virsh('snapshot-delete', d.name, 'keep');
  });

  it('a clone removed before the save is not defined again from the edited XML: the save fails and says so', async () => {
    const tpl = bed.makeTemplateFile(svc.config.templateDir, 'gone');
    const [c] = await svc.clone(tpl.name, 1);
    const xml = await svc.domainXml(c!.uuid);
    const r = await svc.run('rm', [c!]);
    assert.equal(r.done.length, 1);
    await assert.rejects(redefineClone(svc, c!, xml.replace(/<memory unit='KiB'>\d+/, "<memory unit='KiB'>49152")), (e: unknown) => {
      assert.ok(e instanceof LibvirtError, String(e));
      assert.equal(e.message, `Not saved: ${c!.name} no longer exists (it was removed meanwhile); nothing was defined.`);
      return true;
    });
    assert.equal(domainExists(c!.name), false, 'not defined again');
  });

  it('an rm and a rename of the same clone started together never interleave: renamed then removed, or removed and the rename says so', async function () {
    this.timeout(300_000);
    const tpl = bed.makeTemplateFile(svc.config.templateDir, 'race');
    const clones = await svc.clone(tpl.name, 16);
    const outcomes: string[] = [];
    for (const [i, c] of clones.entries()) {
      const disks = await svc.cloneDisks(c.uuid);
      const xml = withName(await svc.domainXml(c.uuid), c.name, `${c.name}-r`);
      // Staggered starts, so that the two meet at every step of each other.
      const rm = svc.run('rm', [c]);
      await new Promise((r) => setTimeout(r, (i % 8) * 4));
      const saved = await redefineClone(svc, c, xml).then(
        (r) => `renamed to ${r.name}`,
        (e: unknown) => `failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      const removed = await rm;
      const left = [c.name, `${c.name}-r`].filter((n) => domainExists(n));
      const state = { saved, removed: removed.done.length, failed: removed.failed.map((f) => f.error.message), left, disks: disks.filter((d) => fs.existsSync(d)) };
      // Never half: the rm did all of its work (no domain under either name, no overlay), and the rename either
      // happened before it or failed saying the clone is gone.
      assert.deepEqual(
        { ...state, saved: /^(renamed to .*-r|failed: Not saved: .* no longer exists \(it was removed meanwhile\); nothing was defined\.)$/.test(saved) },
        { saved: true, removed: 1, failed: [], left: [], disks: [] },
        JSON.stringify(state),
      );
      outcomes.push(saved.startsWith('renamed') ? 'renamed, then removed' : 'removed, then the rename failed');
    }
    console.log(`    outcomes: ${[...new Set(outcomes)].map((o) => `${outcomes.filter((x) => x === o).length}x ${o}`).join('; ')}`);
  });

  it("saveEditedClone (the CLI's edit and the documents): puts back dropped bookkeeping, follows a rename, refuses an edit of a changed clone", async () => {
    const t = bed.makeTemplateFile(svc.config.templateDir, 'edited');
    const [c] = await svc.clone(t.name, 1);
    const base = await svc.domainXml(c!.uuid, { inactive: true });
    const dropped = withName(base.replace(/\s*<metadata>[\s\S]*?<\/metadata>/, ''), c!.name, `${c!.name}-x`);
    assert.doesNotMatch(dropped, /xmlns\/clone\/1/);
    const r = await saveEditedClone(svc, c!, dropped, { base });
    assert.equal(r.renamed, true);
    assert.equal(r.metadataRestored, true);
    const inv = await svc.inventory();
    const again = inv.clones.find((x) => x.uuid === c!.uuid);
    assert.deepEqual([again?.template, again?.id, again?.name], [t.name, 1, `${c!.name}-x`]);
    // Changed behind the edit's back (memory): the edit started from the old definition is refused, nothing defined.
    const now = await svc.domainXml(c!.uuid, { inactive: true });
    const file = path.join(bed.root, 'behind.xml');
    fs.writeFileSync(file, now.replace(/<memory unit='KiB'>\d+/, "<memory unit='KiB'>40960"));
    virsh('define', file);
    const behind = await svc.domainXml(c!.uuid, { inactive: true });
    await assert.rejects(saveEditedClone(svc, { uuid: c!.uuid, name: `${c!.name}-x` }, now.replace(/<memory unit='KiB'>\d+/, "<memory unit='KiB'>36864"), { base: now }), UsageError);
    assert.equal(await svc.domainXml(c!.uuid, { inactive: true }), behind);
    await svc.run('rm', [{ ...again!, name: `${c!.name}-x` }]);
  });
});

