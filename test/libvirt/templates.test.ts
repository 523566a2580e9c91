// Template commands against the real daemon: import (file and domain), copy, list, rename with clones, delete
// refused with clones, bad names and paths.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PermissionError, TemplateError, UsageError, XmlError } from '../../src/core/errors';
import type { LibvirtService } from '../../src/libvirt/api';
import {
  copyTemplate,
  deleteTemplate,
  importTemplate,
  listTemplates,
  renameTemplate,
} from '../../src/libvirt/templates/templateOps';
import { TestBed, tinyDomainXml, virsh } from '../testbed';
import { depsFor, serviceFor } from './templateHelpers';

describe('template commands (real libvirt)', function () {
  this.timeout(120000);
  let bed: TestBed;
  let svc: LibvirtService;
  beforeEach(() => {
    bed = new TestBed('tpl');
    svc = serviceFor(bed);
  });
  afterEach(() => {
    svc.dispose();
    bed.cleanup();
  });

  /** A domain XML file outside the template directory, with its disk. */
  function xmlFile(short: string): { name: string; file: string; disk: string } {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), short);
    return { name: t.name, file: t.xmlPath, disk: t.disk };
  }

  it('imports from a file (name from the XML), makes its disk read-only, refuses the same name again', async () => {
    const src = xmlFile('a');
    const r = await importTemplate(depsFor(svc), src.file);
    assert.equal(r.name, src.name);
    assert.ok(fs.existsSync(path.join(bed.root, 'templates', `${src.name}.xml`)));
    assert.equal(fs.statSync(src.disk).mode & 0o222, 0, 'template disk is read-only on disk');
    assert.deepEqual((await listTemplates(svc)).map((t) => t.name), [src.name]);
    await assert.rejects(importTemplate(depsFor(svc), src.file), (e) => e instanceof TemplateError && e.exitCode === 13);
    const other = await importTemplate(depsFor(svc), src.file, `${bed.prefix}-b`);
    assert.equal(other.name, `${bed.prefix}-b`);
  });

  it('import: an image that cannot be made read-only leaves no template behind, and says what to do', async () => {
    const src = xmlFile('perm');
    // chmod on an immutable file fails with EPERM even for root: like a root-owned image under a user's daemon.
    execFileSync('chattr', ['+i', src.disk]);
    try {
      await assert.rejects(
        importTemplate(depsFor(svc), src.file),
        (e) => e instanceof PermissionError && e.exitCode === 10 && /read-only .*chmod a-w/.test(e.message),
      );
      assert.deepEqual(await listTemplates(svc), [], 'no template file was written');
      assert.ok(!fs.existsSync(path.join(bed.root, 'templates', `${src.name}.xml`)));
    } finally {
      execFileSync('chattr', ['-i', src.disk]);
    }
    assert.notEqual(fs.statSync(src.disk).mode & 0o222, 0, 'still as it was');
    const r = await importTemplate(depsFor(svc), src.file);
    assert.equal(r.name, src.name, 'once the image can be protected, the import works (no "already exists")');
    assert.equal(fs.statSync(src.disk).mode & 0o222, 0);
  });

  it("writing a template (an edit) makes a new image read-only; when one cannot be, nothing changes", async () => {
    const src = xmlFile('edit');
    await importTemplate(depsFor(svc), src.file);
    const file = path.join(bed.root, 'templates', `${src.name}.xml`);
    const newDisk = bed.makeDisk('images/edit-new.qcow2');
    assert.notEqual(fs.statSync(newDisk).mode & 0o222, 0);
    const edited = fs.readFileSync(file, 'utf8').replace(src.disk, newDisk);
    await svc.writeTemplateXml(src.name, edited);
    assert.equal(fs.statSync(newDisk).mode & 0o222, 0, 'the image the template now points at is read-only');
    assert.deepEqual((await svc.inventory()).templates.find((t) => t.name === src.name)?.disks, [newDisk]);

    // Two new disks, the second cannot be changed: the first gets its mode back, the file stays as it was.
    const a = bed.makeDisk('images/edit-a.qcow2');
    const b = bed.makeDisk('images/edit-b.qcow2');
    const twoDisks = edited
      .replace(newDisk, a)
      .replace('</devices>', `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${b}'/><target dev='vdb' bus='virtio'/></disk></devices>`);
    const modeA = fs.statSync(a).mode;
    execFileSync('chattr', ['+i', b]);
    try {
      await assert.rejects(svc.writeTemplateXml(src.name, twoDisks), (e) => e instanceof PermissionError && e.message.includes(b));
    } finally {
      execFileSync('chattr', ['-i', b]);
    }
    assert.equal(fs.statSync(a).mode, modeA, 'the first disk got its mode back');
    assert.equal(fs.readFileSync(file, 'utf8'), edited, 'the template file is unchanged');
  });

  it('rejects bad names, relative or missing paths, invalid XML, unknown domains', async () => {
    const src = xmlFile('c');
    const usage = (e: unknown) => e instanceof UsageError && e.exitCode === 12;
    await assert.rejects(importTemplate(depsFor(svc), src.file, 'bad name'), usage);
    await assert.rejects(importTemplate(depsFor(svc), src.file, '../escape'), usage);
    await assert.rejects(importTemplate(depsFor(svc), 'src/relative.xml'), usage);
    await assert.rejects(importTemplate(depsFor(svc), path.join(bed.root, 'nope.xml')), usage);
    await assert.rejects(importTemplate(depsFor(svc), `${bed.prefix}-no-such-domain`), usage);
    const broken = path.join(bed.root, 'broken.xml');
    fs.writeFileSync(broken, tinyDomainXml({ name: `${bed.prefix}-x`, disk: src.disk }).replace('<vcpu>1</vcpu>', '<vcpu>lots</vcpu>'));
    await assert.rejects(importTemplate(depsFor(svc), broken), (e) => e instanceof XmlError && e.exitCode === 15);
    assert.deepEqual(await listTemplates(svc), []);
    await assert.rejects(copyTemplate(depsFor(svc), 'missing', `${bed.prefix}-y`), TemplateError);
  });

  it('imports from a libvirt domain that is not ours, and refuses our own clones', async () => {
    const src = xmlFile('dom');
    virsh('define', src.file);
    const r = await importTemplate(depsFor(svc), src.name, `${bed.prefix}-fromdom`);
    assert.equal(r.name, `${bed.prefix}-fromdom`);
    assert.ok(r.messages.some((m) => /still uses these disks/.test(m)));
    const [clone] = await svc.clone(r.name, 1);
    await assert.rejects(importTemplate(depsFor(svc), clone!.name, `${bed.prefix}-z`), /clones cannot become templates/);
  });

  it('copies a template (same storage, new identity)', async () => {
    const src = xmlFile('orig');
    await importTemplate(depsFor(svc), src.file);
    await copyTemplate(depsFor(svc), src.name, `${bed.prefix}-copy`);
    const inv = await svc.inventory();
    const copy = inv.templates.find((t) => t.name === `${bed.prefix}-copy`);
    assert.deepEqual(copy?.disks, [src.disk]);
    assert.doesNotMatch(await svc.templateXml(`${bed.prefix}-copy`), /<uuid>/);
    await assert.rejects(copyTemplate(depsFor(svc), src.name, `${bed.prefix}-copy`), TemplateError);
  });

  it('renames a template and its clones (in libvirt and in their metadata); refuses while one runs', async () => {
    const src = xmlFile('ren');
    await importTemplate(depsFor(svc), src.file);
    const clones = await svc.clone(src.name, 2);
    await svc.run('start', [clones[0]!]);
    await assert.rejects(renameTemplate(depsFor(svc), src.name, `${bed.prefix}-new`), /cannot rename running/);
    await svc.run('destroy', [clones[0]!]);
    const to = `${bed.prefix}-new`;
    const r = await renameTemplate(depsFor(svc), src.name, to);
    assert.match(r.messages.join(), /Renamed 2 clone/);
    const inv = await svc.inventory();
    assert.deepEqual(inv.templates.map((t) => t.name), [to]);
    const mine = inv.clones.filter((c) => c.template === to).map((c) => [c.id, c.name, c.uuid]);
    assert.deepEqual(mine, clones.map((c) => [c.id, `${to}-${c.id}`, c.uuid]));
    assert.ok(!inv.clones.some((c) => c.template === src.name));
    assert.match(virsh('dumpxml', '--inactive', clones[0]!.uuid), new RegExp(`template="${to}"`));
    // The renamed clones still work: they start with their overlays.
    const res = await svc.run('start', [{ ...clones[1]!, name: `${to}-${clones[1]!.id}`, template: to }]);
    assert.equal(res.done.length, 1);
  });

  it('refuses to delete a template with clones (saying how many), deletes it without', async () => {
    const src = xmlFile('del');
    await importTemplate(depsFor(svc), src.file);
    const clones = await svc.clone(src.name, 2);
    await assert.rejects(deleteTemplate(depsFor(svc), src.name), (e) => e instanceof UsageError && /has 2 clone/.test(e.message));
    await svc.run('rm', clones);
    await deleteTemplate(depsFor(svc), src.name);
    assert.deepEqual(await listTemplates(svc), []);
    assert.ok(fs.existsSync(src.disk), 'the imported image is kept');
  });
});
