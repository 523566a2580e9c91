// Image staging against the real daemon: prepare-image runs a staging clone; destroy-image forces it off;
// discard-image leaves nothing; commit-image gives NEW clones the change while an EXISTING clone keeps its own data
// and the original template data (checked with qemu-io pattern reads on the overlays).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LibvirtService } from '../../src/libvirt/api';
import { deleteTemplate, importTemplate, renameTemplate } from '../../src/libvirt/templates/templateOps';
import { commitImage, destroyImage, discardImage, findStaging, prepareImage } from '../../src/libvirt/clones/staging';
import { cloneGenerations } from '../../src/libvirt/templates/generations';
import { runCheck } from '../../src/libvirt/check/check';
import { CONNECTIONS_FILE } from '../../src/libvirt/storage';
import { TestBed, qemuImg, tinyDomainXml, virsh } from '../testbed';
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
    // What stays is the record of the connections that made clones here (read before anything is deleted as unused).
    before.add(CONNECTIONS_FILE);
    assert.deepEqual(new Set(fs.readdirSync(pool(), { recursive: true }).map(String)), before, 'no file left behind');
    assert.deepEqual(bed.domains(), []);
    await assert.rejects(commitImage(svc, template), /no staging image/);
  });

  it('rename keeps the staging clone with its overlay; a new template of the old name gets an overlay of its own', async () => {
    const { staging } = await prepareImage(svc, template);
    await destroyImage(svc, template);
    const [staged] = await svc.cloneDisks(staging.uuid);
    write(staged!, 0x5a, '0'); // staged work under way
    const renamed = `${template}-b`;
    await renameTemplate(depsFor(svc), template, renamed);
    assert.equal((await findStaging(svc, renamed))?.uuid, staging.uuid, 'the staging clone follows its template');
    assert.deepEqual(await svc.cloneDisks(staging.uuid), [staged], 'with its overlay');

    // A new template takes the old name and prepares an image.
    const again = bed.makeTemplateFile(path.join(bed.root, 'src2'), 't');
    await importTemplate(depsFor(svc), again.xmlPath);
    const { staging: second } = await prepareImage(svc, template);
    const [secondOverlay] = await svc.cloneDisks(second.uuid);
    assert.notEqual(secondOverlay, staged, 'the new staging clone does not share the renamed one\'s overlay');
    assert.ok(reads(staged!, 0x5a, '0'), "the renamed template's staged data is intact");
    assert.equal(JSON.parse(qemuImg('info', '-U', '--output=json', staged!))['backing-filename'], base);
    assert.equal(JSON.parse(qemuImg('info', '-U', '--output=json', secondOverlay!))['backing-filename'], again.disk);

    // Each commit takes its own staged changes.
    await destroyImage(svc, template);
    const r = await commitImage(svc, renamed);
    assert.ok(reads(r.images[0]!.image, 0x5a, '0'));
    assert.ok(fs.existsSync(secondOverlay!), "the other template's staging overlay is untouched");
    await discardImage(svc, template);
    assert.ok(!fs.existsSync(secondOverlay!));
  });

  it('a storage path typed with a trailing slash: discard and commit still delete the staging overlays', async () => {
    const slashed = serviceFor(bed, `${pool()}/`);
    try {
      const { staging } = await prepareImage(slashed, template);
      const [overlay] = await slashed.cloneDisks(staging.uuid);
      assert.equal(path.dirname(overlay!), pool(), 'overlays are made in the normalised directory');
      assert.deepEqual(await discardImage(slashed, template), [overlay]);
      assert.ok(!fs.existsSync(overlay!));
      const again = await prepareImage(slashed, template);
      const [overlay2] = await slashed.cloneDisks(again.staging.uuid);
      await destroyImage(slashed, template);
      await commitImage(slashed, template);
      assert.ok(!fs.existsSync(overlay2!), 'commit removed the staging overlay');
      assert.deepEqual(fs.readdirSync(pool()).filter((f) => f.endsWith('.qcow2')), []);
    } finally {
      slashed.dispose();
    }
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

  it('an old generation is kept while a domain that is not ours uses it, and all are kept when something cannot be read', async () => {
    const commit = async () => {
      await prepareImage(svc, template);
      await destroyImage(svc, template);
      return commitImage(svc, template);
    };
    const gen2 = (await commit()).images[0]!.image;
    // A domain of someone else's, on an overlay of generation 2 (outside our storage).
    const theirs = path.join(bed.root, 'theirs.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', gen2, theirs);
    const xml = path.join(bed.root, 'theirs.xml');
    fs.writeFileSync(xml, tinyDomainXml({ name: `${bed.prefix}-theirs`, disk: theirs, mac: '52:54:00:aa:bb:79' }));
    virsh('define', xml);
    const r3 = await commit();
    assert.deepEqual(r3.deleted, [], 'generation 2 is kept: a foreign domain uses it');
    assert.ok(fs.existsSync(gen2));
    virsh('undefine', `${bed.prefix}-theirs`);

    // Something cannot be read (a template's image is damaged): nothing is deleted, and the result says why.
    const damaged = path.join(bed.root, 'images', 'damaged.qcow2');
    fs.writeFileSync(damaged, Buffer.concat([Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 99]), Buffer.alloc(200)]));
    const damagedXml = path.join(bed.root, 'templates', `${bed.prefix}-damaged.xml`);
    fs.writeFileSync(damagedXml, tinyDomainXml({ name: `${bed.prefix}-damaged`, disk: damaged }));
    const r4 = await commit();
    assert.deepEqual(r4.deleted, []);
    assert.match(r4.kept ?? '', /were kept: qq2clone cannot tell whether anything still uses it: .*damaged\.qcow2/);
    const gens = [gen2, r3.images[0]!.image, r4.images[0]!.image];
    assert.ok(gens.every((g) => fs.existsSync(g)));
    const del = await deleteTemplate(depsFor(svc), template);
    assert.match(del.messages.join('\n'), /generations were kept: .*damaged/);
    assert.ok(gens.every((g) => fs.existsSync(g)), 'delete-template kept them too');

    // Once everything can be read, check offers them for deletion.
    fs.rmSync(damagedXml);
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const g of gens) fs.utimesSync(g, hourAgo, hourAgo);
    const unused = (await runCheck(svc)).filter((f) => f.kind === 'unused-generation' && f.fix).map((f) => f.file);
    assert.deepEqual(unused.sort(), [...gens].sort());
  });
});
