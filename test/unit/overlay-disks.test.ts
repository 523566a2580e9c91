/** Which template disks get an overlay, and refusing templates with a writable disk that cannot get one. */
import * as assert from 'node:assert/strict';
import { TemplateError } from '../../src/core/errors';
import { clonableDisks, overlayDisks, overlayProblem, parseDomain, unoverlayableDisks } from '../../src/libvirt/domain/domainModel';

const domain = (disks: string) => `<domain type='qemu'>
  <name>deb</name>
  <devices>
${disks}
  </devices>
</domain>
`;

const FILE_DISK = `    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/deb.qcow2'/><target dev='vda' bus='virtio'/></disk>`;
const CDROM = `    <disk type='file' device='cdrom'><source file='/img/install.iso'/><target dev='sda' bus='sata'/><readonly/></disk>`;
const CDROM_NO_READONLY = `    <disk type='block' device='cdrom'><source dev='/dev/sr0'/><target dev='sdb' bus='sata'/></disk>`;
const BLOCK = `    <disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/vg0/data'/><target dev='vdb' bus='virtio'/></disk>`;
const BLOCK_RO = `    <disk type='block' device='disk'><source dev='/dev/vg0/ro'/><target dev='vdc' bus='virtio'/><readonly/></disk>`;
const VOLUME = `    <disk type='volume' device='disk'><source pool='default' volume='data.qcow2'/><target dev='vdd' bus='virtio'/></disk>`;
const VOLUME_SHARED = `    <disk type='volume' device='disk'><source pool='default' volume='shared.raw'/><target dev='vde' bus='virtio'/><shareable/></disk>`;
const NETWORK = `    <disk type='network' device='disk'><source protocol='rbd' name='pool/img'/><target dev='vdf' bus='virtio'/></disk>`;
const FLOPPY = `    <disk type='file' device='floppy'><source file='/img/boot.img'/><target dev='fda' bus='fdc'/></disk>`;

describe('template disks and overlays', () => {
  it('file disks get overlays; cdroms, readonly and shareable disks are shared and need none', () => {
    const d = parseDomain(domain([FILE_DISK, CDROM, CDROM_NO_READONLY, BLOCK_RO, VOLUME_SHARED].join('\n')));
    assert.deepEqual(overlayDisks(d).map((k) => k.target), ['vda']);
    assert.deepEqual(unoverlayableDisks(d), []);
    assert.equal(overlayProblem(d), undefined);
    assert.deepEqual(clonableDisks(d).map((k) => k.target), ['vda']);
  });

  it('a writable block, volume, network or floppy disk is refused, naming each disk and what to do', () => {
    for (const [xml, target, shown] of [
      [BLOCK, 'vdb', /vdb \(block disk \/dev\/vg0\/data\)/],
      [VOLUME, 'vdd', /vdd \(volume disk\)/],
      [NETWORK, 'vdf', /vdf \(network disk\)/],
      [FLOPPY, 'fda', /fda \(file floppy \/img\/boot\.img\)/],
    ] as const) {
      const d = parseDomain(domain(`${FILE_DISK}\n${xml}`));
      assert.deepEqual(unoverlayableDisks(d).map((k) => k.target), [target]);
      const p = overlayProblem(d);
      assert.ok(p instanceof TemplateError && p.exitCode === 13, target);
      assert.match(p.message, shown);
      assert.match(p.message, /^deb: writable disk .* cannot get a copy-on-write overlay, so a clone would write straight into the template's disk\./);
      assert.match(p.message, /Mark it <readonly\/> \(or <shareable\/>.*\) in the template, or use a file disk/);
      assert.throws(() => clonableDisks(d), (e: unknown) => e === p || (e instanceof TemplateError && e.message === p.message));
      assert.deepEqual(overlayDisks(d).map((k) => k.target), ['vda'], 'the pure filter still says which disks get overlays');
    }
  });

  it('names every such disk at once, with the template name it is given', () => {
    const p = overlayProblem(parseDomain(domain([BLOCK, VOLUME, FILE_DISK].join('\n'))), 'Debian');
    assert.match(p!.message, /^Debian: writable disk vdb \(block disk \/dev\/vg0\/data\), vdd \(volume disk\) cannot/);
    assert.match(p!.message, /Mark them <readonly\/>/);
  });
});
