/**
 * The test bed itself against the real daemon: a tiny TCG domain on an empty qcow2 disk can be defined, started,
 * destroyed and undefined, and cleanup() leaves nothing behind.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateDomainXml } from '../../src/libvirt/validation';
import { ensureGuest } from '../guest';
import { TestBed, tinyDomainXml, virsh, qemuImg, domainExists } from '../testbed';

function state(name: string): string {
  return virsh('domstate', name).trim();
}

describe('test bed (real libvirt)', () => {
  let bed: TestBed;
  before(() => {
    bed = new TestBed('bed');
  });
  after(() => {
    bed.cleanup();
    assert.deepEqual(bed.domains(), [], 'cleanup removed every domain with the prefix');
    assert.equal(fs.existsSync(bed.root), false, 'cleanup removed the scratch directory');
  });

  it('makes a real qcow2 disk', () => {
    const disk = bed.makeDisk('d.qcow2', '16M');
    const info = JSON.parse(qemuImg('info', '--output=json', disk)) as { format: string; 'virtual-size': number };
    assert.equal(info.format, 'qcow2');
    assert.equal(info['virtual-size'], 16 * 1024 * 1024);
  });

  it('defines, starts, destroys and undefines a TCG domain', () => {
    const name = `${bed.prefix}-dom`;
    const disk = bed.makeDisk('dom.qcow2');
    const xmlPath = path.join(bed.root, 'dom.xml');
    fs.writeFileSync(xmlPath, tinyDomainXml({ name, disk }));

    virsh('define', xmlPath);
    assert.deepEqual(bed.domains(), [name]);
    assert.equal(state(name), 'shut off');
    assert.match(virsh('dumpxml', name), /<domain type='qemu'/);

    virsh('start', name);
    assert.equal(state(name), 'running');

    virsh('destroy', name);
    assert.equal(state(name), 'shut off');

    virsh('undefine', name);
    assert.equal(domainExists(name), false, 'the domain is gone');
    assert.deepEqual(bed.domains(), []);
  });

  it('makes a guest template: valid XML booting the cached kernel, with its own copy of the guest\'s root', async () => {
    const g = ensureGuest();
    const t = bed.makeGuestTemplate(path.join(bed.root, 'templates'), 'g', { onCrash: 'preserve', memoryMiB: 160 });
    assert.ok(t.disk.startsWith(bed.root + path.sep));
    assert.ok(fs.readFileSync(t.disk).equals(fs.readFileSync(g.rootImage)), 'a copy of the root image');
    assert.equal(fs.statSync(t.disk).mode & 0o200, 0o200, 'writable until the product makes it read-only');
    const xml = fs.readFileSync(t.xmlPath, 'utf8');
    assert.deepEqual((await validateDomainXml(xml)).problems, []);
    for (const want of [
      `<name>${t.name}</name>`, `<kernel>${g.kernel}</kernel>`, `<initrd>${g.initrd}</initrd>`, `<source file='${t.disk}'/>`,
      "<on_crash>preserve</on_crash>", "<memory unit='MiB'>160</memory>", "<panic model='isa'/>",
      "<target type='virtio' name='org.qemu.guest_agent.0'/>", "<interface type='user'>",
    ]) assert.ok(xml.includes(want), want);
  });

  it('cleanup removes a running domain it made', () => {
    const other = new TestBed('bed2');
    const t = other.makeTemplateFile(path.join(other.root, 'templates'), 't');
    virsh('define', t.xmlPath);
    virsh('start', t.name);
    assert.equal(state(t.name), 'running');
    other.cleanup();
    assert.equal(domainExists(t.name), false);
    assert.equal(fs.existsSync(other.root), false);
  });
});
