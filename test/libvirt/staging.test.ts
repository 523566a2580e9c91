// Image staging against the real daemon: prepare-image runs a staging clone; destroy-image forces it off;
// discard-image leaves nothing; commit-image gives NEW clones the change while an EXISTING clone keeps its own data
// and the original template data (checked with qemu-io pattern reads on the overlays).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LibvirtService } from '../../src/libvirt/api';
import { deleteTemplate, importTemplate } from '../../src/libvirt/templateOps';
import { commitImage, destroyImage, discardImage, findStaging, prepareImage } from '../../src/libvirt/staging';
import { cloneGenerations } from '../../src/libvirt/generations';
import { TestBed, qemuImg } from '../testbed';
import { depsFor, reads, serviceFor, write } from './templateHelpers';

describe('image staging (real libvirt)', function () {
  this.timeout(120000);
  let bed: TestBed;
  let svc: LibvirtService;
  let template: string;
  let base: string;
  const pool = () => path.join(bed.root, 'pool');
  beforeEach(async () => {
    bed = new TestBed('stg');
    svc = serviceFor(bed);
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 't');
    write(t.disk, 0x11, '0'); // the template's own data
    await importTemplate(depsFor(svc), t.xmlPath);
    template = t.name;
    base = t.disk;
  });
  afterEach(() => {
    svc.dispose();
    bed.cleanup();
  });

  it('prepare-image runs a staging clone the inventory marks; destroy-image forces it off; discard leaves nothing', async () => {
    fs.mkdirSync(pool(), { recursive: true });
    const before = new Set(fs.readdirSync(pool(), { recursive: true }).map(String));
    const { staging, created } = await prepareImage(svc, template);
    assert.ok(created);
    let inv = await svc.inventory();
    const s = inv.clones.find((c) => c.uuid === staging.uuid);
    assert.deepEqual([s?.id, s?.staging, s?.state], [0, true, 'running']);
    assert.equal(inv.templates.find((t) => t.name === template)?.staging, true);
    assert.equal((await prepareImage(svc, template)).created, false, 'a second prepare reuses it');
    await destroyImage(svc, template);
    assert.equal((await findStaging(svc, template))?.state, 'off');
    await assert.rejects(destroyImage(svc, template), /not running/);
    const removed = await discardImage(svc, template);
    assert.equal(removed.length, 1);
    inv = await svc.inventory();
    assert.ok(!inv.clones.some((c) => c.template === template));
    assert.ok(!inv.templates.find((t) => t.name === template)?.staging);
    assert.deepEqual(new Set(fs.readdirSync(pool(), { recursive: true }).map(String)), before, 'no file left behind');
    assert.deepEqual(bed.domains(), []);
    await assert.rejects(commitImage(svc, template), /no staging image/);
  });

  it('commit-image: an existing clone keeps its data and the old image; a new clone sees the change', async () => {
    const baseBefore = fs.readFileSync(base);
    const [old] = await svc.clone(template, 1);
    const [oldOverlay] = await svc.cloneDisks(old!.uuid);
    write(oldOverlay!, 0xab, '64k'); // the existing clone's own data (domain off)

    const { staging } = await prepareImage(svc, template);
    await assert.rejects(commitImage(svc, template), /shut it down/, 'refused while the staging clone runs');
    await destroyImage(svc, template);
    const [stagingOverlay] = await svc.cloneDisks(staging.uuid);
    write(stagingOverlay!, 0xcd, '0'); // the staged change overwrites template data
    write(stagingOverlay!, 0xee, '128k');

    const r = await commitImage(svc, template);
    assert.equal(r.images.length, 1);
    const gen2 = r.images[0]!.image;
    assert.equal(r.images[0]!.generation, 2);
    assert.equal(r.clonesOnOldImage, 1);
    assert.deepEqual(r.deleted, [], 'the imported image is never deleted');
    assert.ok(fs.readFileSync(base).equals(baseBefore), 'the image the clone is based on was not written');
    assert.equal(fs.statSync(gen2).mode & 0o222, 0, 'the new generation is read-only on disk');
    assert.ok(!fs.existsSync(stagingOverlay!), 'the staging overlay is gone');
    assert.equal(await findStaging(svc, template), undefined);

    // The existing clone: its data, the original template data, not the staged change.
    assert.ok(reads(oldOverlay!, 0xab, '64k'));
    assert.ok(reads(oldOverlay!, 0x11, '0'));
    assert.ok(reads(oldOverlay!, 0, '128k'));
    // A new clone: the staged change, not the old clone's data.
    const [fresh] = await svc.clone(template, 1);
    const [freshOverlay] = await svc.cloneDisks(fresh!.uuid);
    assert.ok(reads(freshOverlay!, 0xcd, '0'));
    assert.ok(reads(freshOverlay!, 0xee, '128k'));
    assert.ok(reads(freshOverlay!, 0, '64k'));
    assert.equal(JSON.parse(qemuImg('info', '-U', '--output=json', freshOverlay!))['backing-filename'], gen2);
    // Which generation each clone uses.
    const gens = await cloneGenerations(svc, [old!, fresh!]);
    assert.deepEqual(gens.map((g) => g.generation), [1, 2]);
    // Both clones start together: nobody holds a base writable.
    const started = await svc.run('start', [old!, fresh!]);
    assert.equal(started.done.length, 2, JSON.stringify(started.failed.map((f) => f.error.message)));
  });

  it('a second commit deletes the previous generation once no clone uses it', async () => {
    await prepareImage(svc, template);
    await destroyImage(svc, template);
    const first = (await commitImage(svc, template)).images[0]!.image;
    const [c] = await svc.clone(template, 1); // uses generation 2
    await prepareImage(svc, template);
    await destroyImage(svc, template);
    const r2 = await commitImage(svc, template);
    assert.equal(r2.images[0]!.generation, 3);
    assert.deepEqual(r2.deleted, [], 'generation 2 is kept: a clone uses it');
    assert.ok(fs.existsSync(first));
    await svc.run('rm', [c!]);
    await prepareImage(svc, template);
    await destroyImage(svc, template);
    const r3 = await commitImage(svc, template);
    assert.deepEqual([...r3.deleted].sort(), [first, r2.images[0]!.image].sort(), 'generations 2 and 3 go: nothing uses them');
    assert.ok(fs.existsSync(r3.images[0]!.image));
    const del = await deleteTemplate(depsFor(svc), template);
    assert.match(del.messages.join(), new RegExp(r3.images[0]!.image.replace(/[.]/g, '\\.')));
    assert.deepEqual(fs.readdirSync(path.join(pool(), 'template-images')), [], 'delete-template removed its generations');
    assert.ok(fs.existsSync(base), 'but never the imported image');
  });
});
