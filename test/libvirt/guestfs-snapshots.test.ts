/**
 * The disk browser (libguestfs) on a clone with internal snapshots reads the clone's current state, never a
 * snapshot's: a file written after the snapshot is there, one deleted after it is not, in the browser, in the
 * comparison with the template and while the clone runs (read-only); after a revert it reads the snapshot's state,
 * which is then the current one. Real clones of a template whose disk is a bare ext4 filesystem.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { changeLine } from '../../src/core/treeDiff';
import { createLibvirtService } from '../../src/libvirt';
import { DiskAccess } from '../../src/libvirt/disks';
import type { CloneInfo, CloneRef, LibvirtService } from '../../src/libvirt/api';
import { TestBed, TEST_URI, tinyDomainXml, virsh } from '../testbed';

const ref = (c: CloneInfo): CloneRef => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name });

describe('disk browser on a clone with snapshots (libguestfs, real libvirt)', function () {
  this.timeout(600_000);
  let bed: TestBed;
  let service: LibvirtService;
  let disk: DiskAccess;
  let tpl: string;
  let clone: CloneInfo;

  before(async () => {
    bed = new TestBed('gfsnap');
    const tree = path.join(bed.root, 'tree');
    fs.mkdirSync(path.join(tree, 'data'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'data', 'base'), 'template\n');
    const raw = path.join(bed.root, 'fs.raw');
    execFileSync('truncate', ['-s', '64M', raw]);
    execFileSync('mkfs.ext4', ['-q', '-d', tree, raw]);
    const image = path.join(bed.root, 'images', 'tpl.qcow2');
    fs.mkdirSync(path.dirname(image), { recursive: true });
    execFileSync('qemu-img', ['convert', '-O', 'qcow2', raw, image]);
    fs.rmSync(raw);
    tpl = `${bed.prefix}-tpl`;
    fs.mkdirSync(path.join(bed.root, 'templates'));
    service = createLibvirtService({ uri: TEST_URI, home: bed.root });
    await service.writeTemplateXml(tpl, tinyDomainXml({ name: tpl, disk: image }));
    [clone] = (await service.clone(tpl, 1)) as [CloneInfo];
    disk = new DiskAccess(service, { max: () => 1, idleMs: () => 600_000 });
  });
  after(async () => {
    await disk?.dispose();
    service?.dispose();
    bed?.cleanup();
  });

  const t = () => ({ template: tpl, clone: 1 });
  const names = async () => (await disk.readdir(t(), '/data')).map(([n]) => n).sort();
  const act = async (kind: 'create' | 'revert', name: string) => {
    const r = await service.snapshot({ kind, name }, [ref(clone)]);
    assert.deepEqual([r.done.length, r.failed.map((f) => f.error.message)], [1, []]);
  };

  it('an off clone: written after the snapshot is there, deleted after it is not (browser and comparison)', async () => {
    await disk.writeFile(t(), '/data/kept', Buffer.from('before the snapshot\n'), { create: true, overwrite: false });
    await disk.close(t()); // the read-write appliance holds the clone's lock
    await act('create', 's1');
    await disk.writeFile(t(), '/data/after', Buffer.from('after the snapshot\n'), { create: true, overwrite: false });
    await disk.delete(t(), '/data/kept', false);
    await disk.close(t());
    assert.deepEqual(await names(), ['after', 'base']);
    assert.equal((await disk.readFile(t(), '/data/after')).toString(), 'after the snapshot\n');
    assert.deepEqual((await disk.diff(t())).map(changeLine), ['+ /data/after']);
    await disk.close(t());
  });

  it('a running clone (read-only) reads the current state too', async () => {
    virsh('start', clone.uuid);
    try {
      assert.equal((await disk.openDisk(t())).readonly, true);
      assert.deepEqual(await names(), ['after', 'base']);
    } finally {
      await disk.close(t());
      virsh('destroy', clone.uuid);
    }
  });

  it("after a revert the snapshot's state is the current one, and that is what is read", async () => {
    await act('revert', 's1');
    assert.deepEqual(await names(), ['base', 'kept']);
    assert.equal((await disk.readFile(t(), '/data/kept')).toString(), 'before the snapshot\n');
  });
});
