/**
 * Clones keep their snapshots through what else the product does to them, on the real daemon: the template's rename
 * (domrename of its clones, their bookkeeping rewritten), an edit saved under the same or a new name (a redefine), and
 * the template's staging (prepare-image, commit-image). After each, the snapshots are listed as before and a revert
 * still brings back the data of the snapshot (qemu-io pattern reads of the overlay), the clone keeping its name and
 * its current bookkeeping (the rest of the definition is the one saved with the snapshot). An edit that would give a clone with snapshots a new UUID is refused before anything
 * changes, saying why and what to do.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { UsageError } from '../../src/core/errors';
import type { CloneInfo, CloneRef, LibvirtService } from '../../src/libvirt/api';
import { commitImage, destroyImage, prepareImage } from '../../src/libvirt/clones/staging';
import { saveEditedClone } from '../../src/libvirt/clones/redefine';
import { parseDomain } from '../../src/libvirt/domain';
import { importTemplate, renameTemplate } from '../../src/libvirt/templates/templateOps';
import { TestBed, qemuImg, virsh } from '../testbed';
import { depsFor, reads, serviceFor, write } from './templateHelpers';

const ref = (c: CloneInfo): CloneRef => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name });
const imageSnapshots = (file: string): string[] =>
  ((JSON.parse(qemuImg('info', '-U', '--output=json', file)) as { snapshots?: { name: string }[] }).snapshots ?? []).map((s) => s.name);

describe('clones keep their snapshots through rename, edit and staging (real libvirt)', function () {
  this.timeout(300_000);
  let bed: TestBed;
  let svc: LibvirtService;
  let template: string;

  beforeEach(async () => {
    bed = new TestBed('snkeep');
    svc = serviceFor(bed);
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 't');
    write(t.disk, 0x11, '0');
    await importTemplate(depsFor(svc), t.xmlPath);
    template = t.name;
  });
  afterEach(() => {
    svc.dispose();
    bed.cleanup();
  });

  /** A clone (off) with snapshots s1 (its data 0xa1 at 64k) and s2 on top (0xa2), then 0xff written after both. */
  async function cloneWithSnapshots(): Promise<{ clone: CloneInfo; overlay: string }> {
    const [clone] = await svc.clone(template, 1);
    const [overlay] = await svc.cloneDisks(clone!.uuid);
    write(overlay!, 0xa1, '64k');
    assert.deepEqual((await svc.snapshot({ kind: 'create', name: 's1' }, [ref(clone!)])).failed, []);
    write(overlay!, 0xa2, '64k');
    assert.deepEqual((await svc.snapshot({ kind: 'create', name: 's2', description: 'second' }, [ref(clone!)])).failed, []);
    write(overlay!, 0xff, '64k');
    return { clone: clone!, overlay: overlay! };
  }

  /** The clone as the inventory sees it now (by UUID). */
  async function now(uuid: string): Promise<CloneInfo> {
    const c = (await svc.inventory()).clones.find((x) => x.uuid === uuid);
    assert.ok(c, `clone ${uuid} is still there`);
    return c;
  }

  /** Both snapshots listed (s2 current) and in the overlay; reverting to s1 brings its data back, then s2's. */
  async function snapshotsWork(uuid: string, overlay: string): Promise<CloneInfo> {
    const c = await now(uuid);
    const list = await svc.snapshots(uuid);
    assert.deepEqual(list.map((s) => [s.name, s.description, s.current]), [['s2', 'second', true], ['s1', '', false]]);
    assert.deepEqual(imageSnapshots(overlay), ['s1', 's2']);
    assert.deepEqual(virsh('snapshot-list', '--name', c.name).trim().split('\n'), ['s1', 's2'], "libvirt's list under the clone's name now");
    const r1 = await svc.snapshot({ kind: 'revert', name: 's1' }, [ref(c)]);
    assert.deepEqual([r1.done.length, r1.failed.map((f) => f.error.message)], [1, []]);
    assert.ok(reads(overlay, 0xa1, '64k'), "s1's data is back");
    const r2 = await svc.snapshot({ kind: 'revert', name: 's2' }, [ref(c)]);
    assert.deepEqual([r2.done.length, r2.failed.map((f) => f.error.message)], [1, []]);
    assert.ok(reads(overlay, 0xa2, '64k'), "s2's data is back");
    const after = await now(uuid);
    assert.deepEqual([after.name, after.template, after.id], [c.name, c.template, c.id], 'a revert keeps the name and bookkeeping of now');
    return after;
  }

  it('rename of the template: its clone is renamed with its snapshots, and reverts under the new name', async () => {
    const { clone, overlay } = await cloneWithSnapshots();
    const to = `${bed.prefix}-renamed`;
    await renameTemplate(depsFor(svc), template, to);
    const c = await snapshotsWork(clone.uuid, overlay);
    assert.deepEqual([c.template, c.name], [to, `${to}${clone.name.slice(template.length)}`]);
  });

  it('an edit saved under the same name and under a new one: the snapshots stay and revert', async () => {
    const { clone, overlay } = await cloneWithSnapshots();
    const base = await svc.domainXml(clone.uuid, { inactive: true });
    const edited = base.replace(/<memory unit='KiB'>\d+/, "<memory unit='KiB'>40960");
    assert.notEqual(edited, base);
    await saveEditedClone(svc, clone, edited, { base });
    await snapshotsWork(clone.uuid, overlay);
    // libvirt restores the definition saved with the snapshot: the edit made after it is undone (name and bookkeeping stay).
    assert.match(await svc.domainXml(clone.uuid, { inactive: true }), new RegExp(/<memory unit='KiB'>\d+/.exec(base)![0]));
    const base2 = await svc.domainXml(clone.uuid, { inactive: true });
    const newName = `${clone.name}-edited`;
    const r = await saveEditedClone(svc, clone, base2.replace(`<name>${clone.name}</name>`, `<name>${newName}</name>`), { base: base2 });
    assert.deepEqual([r.renamed, r.name], [true, newName]);
    const c = await snapshotsWork(clone.uuid, overlay);
    assert.equal(c.name, newName);
  });

  it('an edit giving a clone with snapshots a new UUID is refused before anything changes, saying what to do', async () => {
    const { clone, overlay } = await cloneWithSnapshots();
    const base = await svc.domainXml(clone.uuid, { inactive: true });
    const uuid = parseDomain(base).uuid!;
    const other = '3f1c1d38-0c55-4c34-8a4d-1c6f2b8e0d11';
    await assert.rejects(saveEditedClone(svc, clone, base.replace(`<uuid>${uuid}</uuid>`, `<uuid>${other}</uuid>`), { base }), (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.match(e.message, /has 2 snapshots \(s1, s2\), which libvirt keeps under its UUID: a new UUID would make a new domain without them\. Save the edit with the UUID it has, or delete the snapshots first\.$/);
      return true;
    });
    assert.equal(await svc.domainXml(clone.uuid, { inactive: true }), base, 'the definition is unchanged');
    assert.equal(virsh('domuuid', clone.name).trim(), clone.uuid);
    await snapshotsWork(clone.uuid, overlay);
  });

  it("the template's staging (prepare-image, commit-image) leaves its clones' snapshots alone", async () => {
    const { clone, overlay } = await cloneWithSnapshots();
    const backing = JSON.parse(qemuImg('info', '-U', '--output=json', overlay))['backing-filename'] as string;
    await prepareImage(svc, template);
    await destroyImage(svc, template);
    const r = await commitImage(svc, template);
    assert.equal(r.clonesOnOldImage, 1);
    assert.equal(JSON.parse(qemuImg('info', '-U', '--output=json', overlay))['backing-filename'], backing, 'the clone keeps its image');
    await snapshotsWork(clone.uuid, overlay);
    assert.ok(reads(overlay, 0x11, '0'), "the template's data under the clone is the old generation's");
  });
});
