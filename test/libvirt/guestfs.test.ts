/**
 * Disk access through libguestfs on real clones of a template whose disk is a bare ext4 filesystem (mkfs.ext4 -d):
 * browse, read, write only while off, copy in and out, compare with the template, the CLI's disk commands, cancel.
 * Appliance starts take 15-20 s under TCG: one DiskAccess (at most two appliances) serves the whole file.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError, FileTypeError, PermissionError, UsageError } from '../../src/core/errors';
import { changeLine } from '../../src/core/treeDiff';
import { runCli } from '../../src/cli/run';
import { createLibvirtService } from '../../src/libvirt';
import { DiskAccess, GuestPathError } from '../../src/libvirt/disks';
import type { LibvirtService } from '../../src/libvirt/api';
import { TestBed, TEST_URI, tinyDomainXml, virsh } from '../testbed';

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const sockdirs = () => fs.readdirSync('/tmp').filter((n) => /^libguestfs[A-Za-z0-9]{6}$/.test(n));

describe('disk access through libguestfs', function () {
  this.timeout(300_000);
  let bed: TestBed;
  let service: LibvirtService;
  let disk: DiskAccess;
  let tpl: string;
  let image: string;
  let imageSum: string;
  let sockdirsBefore: string[];

  before(async () => {
    bed = new TestBed('gfs');
    sockdirsBefore = sockdirs();
    const tree = path.join(bed.root, 'tree');
    fs.mkdirSync(path.join(tree, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(tree, 'data', 'old'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'etc', 'hostname'), 'template\n');
    fs.writeFileSync(path.join(tree, 'data', 'keep'), 'unchanged\n');
    fs.writeFileSync(path.join(tree, 'data', 'edit'), 'before\n');
    fs.writeFileSync(path.join(tree, 'data', 'old', 'gone'), 'x\n');
    fs.writeFileSync(path.join(tree, 'data', 'script'), '#!/bin/sh\n');
    fs.symlinkSync('../etc/hostname', path.join(tree, 'data', 'link'));
    const raw = path.join(bed.root, 'fs.raw');
    execFileSync('truncate', ['-s', '64M', raw]);
    execFileSync('mkfs.ext4', ['-q', '-d', tree, raw]);
    image = path.join(bed.root, 'images', 'tpl.qcow2');
    fs.mkdirSync(path.dirname(image), { recursive: true });
    execFileSync('qemu-img', ['convert', '-O', 'qcow2', raw, image]);
    fs.rmSync(raw);
    tpl = `${bed.prefix}-tpl`;
    fs.mkdirSync(path.join(bed.root, 'templates'));
    service = createLibvirtService({ uri: TEST_URI, home: bed.root });
    await service.writeTemplateXml(tpl, tinyDomainXml({ name: tpl, disk: image }));
    imageSum = sha256(image);
    await service.clone(tpl, 3);
    disk = new DiskAccess(service, { max: () => 2, idleMs: () => 600_000 });
  });

  after(async () => {
    await disk?.dispose();
    service?.dispose();
    bed?.cleanup();
  });

  it('a clone that was never written compares equal to its template without starting an appliance', async () => {
    assert.equal(await disk.overlayChanged({ template: tpl, clone: 3 }), false);
    assert.deepEqual(await disk.diff({ template: tpl, clone: 3 }), []);
    assert.deepEqual(disk.open, []);
  });

  it('opens an off clone read-write with its one filesystem at /, lists, stats and reads through one appliance', async () => {
    const t = { template: tpl, clone: 1 };
    const opened = await disk.openDisk(t);
    assert.equal(opened.readonly, false);
    assert.deepEqual(opened.mounts.map((m) => [m.mountpoint, m.type]), [['/', 'ext4']]);
    const names = (await disk.readdir(t, '/data')).map(([n]) => n).sort();
    assert.deepEqual(names, ['edit', 'keep', 'link', 'old', 'script']);
    assert.equal((await disk.readFile(t, '/etc/hostname')).toString(), 'template\n');
    const link = await disk.stat(t, '/data/link');
    assert.equal(link.target, '../etc/hostname');
    await assert.rejects(disk.stat(t, '/nope'), (e: unknown) => e instanceof GuestPathError && e.errno === 'ENOENT');
    assert.deepEqual(disk.open, [`${tpl}/1`], 'one appliance for the clone');
  });

  it('what the clone wrote, changed and deleted is exactly its diff against the template', async () => {
    const t = { template: tpl, clone: 1 };
    await disk.writeFile(t, '/data/new', Buffer.from('added\n'), { create: true, overwrite: false });
    await disk.writeFile(t, '/data/edit', Buffer.from('after!\n'), { create: false, overwrite: true });
    await disk.delete(t, '/data/old', true);
    await disk.mkdir(t, '/data/dir');
    await disk.writeFile(t, '/data/dir/inner', Buffer.from('in\n'), { create: true, overwrite: false });
    await assert.rejects(disk.writeFile(t, '/data/keep', Buffer.from('x'), { create: true, overwrite: false }), /exists/);
    const changes = await disk.diff(t);
    assert.deepEqual(changes.map(changeLine), ['+ /data/dir', '+ /data/dir/inner', 'M /data/edit', '+ /data/new', '- /data/old', '- /data/old/gone']);
    assert.equal((await disk.readFile(t, '/data/edit', { side: 'b' })).toString(), 'before\n', 'the template side of the diff');
    assert.deepEqual(disk.open, [`${tpl}/1`], 'browsing and comparing share the appliance');
    const other = new DiskAccess(service, { max: () => 1, idleMs: () => 0 });
    await assert.rejects(
      other.writeFile(t, '/data/x', Buffer.from('x'), { create: true, overwrite: true }),
      (e: unknown) => e instanceof UsageError && /^clone 1 of .* is in use by another operation \(rm, a reset, an edit or another disk view\): try again when it has finished\.$/.test(e.message),
      'a second writer is refused by the clone lock the first one holds (after waiting for it), and told so',
    );
    await other.dispose();
  });

  it('a file copied into an off clone is there, and copied out again', async () => {
    const t = { template: tpl, clone: 1 };
    const local = path.join(bed.root, 'in');
    fs.mkdirSync(local);
    fs.writeFileSync(path.join(local, 'payload.sh'), 'echo hi\n', { mode: 0o755 });
    await disk.copyIn(t, local, '/data');
    assert.equal((await disk.readFile(t, '/data/in/payload.sh')).toString(), 'echo hi\n');
    assert.equal((await disk.stat(t, '/data/in/payload.sh')).mode & 0o777, 0o755);
    const out = path.join(bed.root, 'out');
    fs.mkdirSync(out);
    await disk.copyOut(t, '/data/in', out);
    assert.equal(fs.readFileSync(path.join(out, 'in', 'payload.sh'), 'utf8'), 'echo hi\n');
  });

  it('a running clone is read (read-only, no lock taken) and writing into it is refused with the reason', async () => {
    const t = { template: tpl, clone: 2 };
    const inv = await service.inventory();
    const c2 = inv.clones.find((c) => c.template === tpl && c.id === 2)!;
    virsh('start', c2.name);
    const opened = await disk.openDisk(t);
    assert.equal(opened.readonly, true);
    assert.equal((await disk.readFile(t, '/data/keep')).toString(), 'unchanged\n');
    await assert.rejects(
      disk.writeFile(t, '/data/x', Buffer.from('x'), { create: true, overwrite: true }),
      (e: unknown) => e instanceof PermissionError && /clone 2 of .* is running: its disk is read-only while it runs/.test(e.message),
    );
    await assert.rejects(disk.copyIn(t, bed.root, '/'), PermissionError);
    assert.equal(disk.open.length, 2, 'at most two appliances');
    virsh('destroy', c2.name);
  });

  it('the CLI: diff of a written clone and of an untouched one; a bad NUMBER is exit 12', async () => {
    await disk.close({ template: tpl, clone: 1 });
    const run = async (...argv: string[]) => {
      const r = { code: -1, stdout: '', stderr: '' };
      r.code = await runCli(['-t', tpl, ...argv], {
        io: { stdout: (s) => (r.stdout += s), stderr: (s) => (r.stderr += s), env: { ...process.env, QQ2CLONE_HOME: bed.root }, stdinIsTTY: false },
        makeService: (config) => createLibvirtService({ ...config, uri: TEST_URI }),
      });
      return r;
    };
    const diff = await run('diff', '1');
    assert.equal(diff.code, 0, diff.stderr);
    assert.deepEqual(diff.stdout.trim().split('\n'), [
      '+ /data/dir',
      '+ /data/dir/inner',
      'M /data/edit',
      '+ /data/in',
      '+ /data/in/payload.sh',
      '+ /data/new',
      '- /data/old',
      '- /data/old/gone',
    ]);
    const none = await run('diff', '3');
    assert.deepEqual([none.code, none.stdout], [0, '']);
    const bad = await run('ls', 'x', '/');
    assert.equal(bad.code, 12);
  });

  it('a disk without a filesystem is refused, saying so', async () => {
    const empty = `${bed.prefix}-empty`;
    await service.writeTemplateXml(empty, tinyDomainXml({ name: empty, disk: bed.makeDisk('images/empty.qcow2') }));
    await service.clone(empty, 1);
    const other = new DiskAccess(service, { max: () => 1, idleMs: () => 0 });
    await assert.rejects(other.openDisk({ template: empty, clone: 1 }), (e: unknown) => e instanceof FileTypeError && /has no filesystem that can be opened/.test(e.message));
    await other.dispose();
  });

  it('a launch cancelled half-way leaves no appliance, socket folder or temporary folder behind', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 3000);
    const other = new DiskAccess(service, { max: () => 1, idleMs: () => 0 });
    await assert.rejects(other.openDisk({ template: tpl, clone: 3 }, ac.signal), CancelledError);
    assert.deepEqual(other.open, []);
    await other.dispose();
  });

  it('the template image never changed, and every socket folder made was removed', async () => {
    await disk.dispose();
    assert.equal(sha256(image), imageSum);
    assert.deepEqual(sockdirs().filter((d) => !sockdirsBefore.includes(d)), []);
    assert.deepEqual(fs.readdirSync('/tmp').filter((n) => n.startsWith('qq2clone-guestfs-')), []);
  });
});
