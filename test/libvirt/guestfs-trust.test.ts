/**
 * Disk appliances that can be trusted with a clone (real libguestfs, real clones): a read-write appliance holds the
 * clone's lock while it is open (rm or a reset cannot replace the overlay under it), cancel reaches a copy that
 * runs, copy-out does not overwrite local files unless asked, and a change of drive set waits for the call in
 * progress instead of closing the appliance under it. One shared clone appliance where possible (TCG is slow).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError, UsageError } from '../../src/core/errors';
import { runCli } from '../../src/cli/run';
import { createLibvirtService } from '../../src/libvirt';
import { DiskAccess } from '../../src/libvirt/disks';
import { AppliancePool } from '../../src/libvirt/disks/pool';
import type { LibvirtService } from '../../src/libvirt/api';
import { TestBed, TEST_URI, tinyDomainXml } from '../testbed';


describe('disk appliances: clone lock, cancel, no overwrite, no close under a call (real libguestfs)', function () {
  this.timeout(600_000);
  let bed: TestBed;
  let service: LibvirtService;
  let disk: DiskAccess;
  let tpl: string;
  let uuid: string;
  let big: string;
  const t = () => ({ template: tpl, clone: 1 });

  before(async () => {
    bed = new TestBed('gfstrust');
    const tree = path.join(bed.root, 'tree');
    fs.mkdirSync(path.join(tree, 'data'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'data', 'keep'), 'unchanged\n');
    const raw = path.join(bed.root, 'fs.raw');
    execFileSync('truncate', ['-s', '256M', raw]);
    execFileSync('mkfs.ext4', ['-q', '-d', tree, raw]);
    const image = path.join(bed.root, 'images', 'tpl.qcow2');
    fs.mkdirSync(path.dirname(image), { recursive: true });
    execFileSync('qemu-img', ['convert', '-O', 'qcow2', raw, image]);
    fs.rmSync(raw);
    tpl = `${bed.prefix}-tpl`;
    fs.mkdirSync(path.join(bed.root, 'templates'));
    service = createLibvirtService({ uri: TEST_URI, home: bed.root });
    await service.writeTemplateXml(tpl, tinyDomainXml({ name: tpl, disk: image }));
    await service.clone(tpl, 1);
    uuid = (await service.inventory()).clones.find((c) => c.template === tpl && c.id === 1)!.uuid;
    // A copy that takes a while inside a TCG appliance.
    big = path.join(bed.root, 'big');
    fs.mkdirSync(big);
    fs.writeFileSync(path.join(big, 'blob'), randomBytes(120 << 20));
    disk = new DiskAccess(service, { max: () => 1, idleMs: () => 600_000 });
  });

  after(async () => {
    await disk?.dispose();
    service?.dispose();
    bed?.cleanup();
  });

  it('an off clone open read-write holds its clone lock until the appliance closes', async () => {
    assert.equal((await disk.openDisk(t())).readonly, false);
    await assert.rejects(service.withCloneLock(uuid, async () => 'taken', AbortSignal.timeout(3000)), CancelledError, 'rm or reset must wait');
    await disk.close(t());
    assert.equal(await service.withCloneLock(uuid, async () => 'taken', AbortSignal.timeout(60_000)), 'taken', 'free once closed');
  });

  it('copy-out refuses to overwrite a local file unless asked (the CLI: --force)', async () => {
    const out = path.join(bed.root, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep'), 'local\n');
    await assert.rejects(disk.copyOut(t(), '/data/keep', out), (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.equal(e.message, `${path.join(out, 'keep')} already exists: nothing was copied. Choose another folder, or allow overwriting it.`);
      return true;
    });
    assert.equal(fs.readFileSync(path.join(out, 'keep'), 'utf8'), 'local\n', 'the local file is untouched');
    await disk.copyOut(t(), '/data/keep', out, undefined, { overwrite: true });
    assert.equal(fs.readFileSync(path.join(out, 'keep'), 'utf8'), 'unchanged\n');
    await disk.close(t());
    const run = async (...argv: string[]) => {
      const r = { code: -1, stdout: '', stderr: '' };
      r.code = await runCli(['-t', tpl, ...argv], {
        io: { stdout: (s) => (r.stdout += s), stderr: (s) => (r.stderr += s), env: { ...process.env, QQ2CLONE_HOME: bed.root }, stdinIsTTY: false },
        makeService: (config) => createLibvirtService({ ...config, uri: TEST_URI }),
      });
      return r;
    };
    fs.writeFileSync(path.join(out, 'keep'), 'local again\n');
    const refused = await run('copy-out', '1', '/data/keep', out);
    assert.equal(refused.code, 12, refused.stderr);
    assert.match(refused.stderr, /already exists: nothing was copied\. .*--force/);
    assert.equal(fs.readFileSync(path.join(out, 'keep'), 'utf8'), 'local again\n');
    const forced = await run('copy-out', '--force', '1', '/data/keep', out);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(fs.readFileSync(path.join(out, 'keep'), 'utf8'), 'unchanged\n');
  });

  it('cancel reaches a copy-in that runs: it ends at once and the appliance is closed', async () => {
    await disk.openDisk(t());
    const ac = new AbortController();
    const copying = disk.copyIn(t(), big, '/data', ac.signal);
    setTimeout(() => ac.abort(), 500);
    await assert.rejects(copying, CancelledError);
    assert.deepEqual(disk.open, [], 'the appliance was ended');
    assert.equal(await service.withCloneLock(uuid, async () => 'taken', AbortSignal.timeout(60_000)), 'taken', 'and its lock released');
  });

  it('a change of drive set waits for the call in progress instead of closing the appliance under it', async () => {
    const [drive] = await service.cloneDisks(uuid);
    const pool = new AppliancePool({ max: () => 1, idleMs: () => 600_000 });
    const spec = (readonly: boolean) => ({ key: 'k', what: 'clone 1', drives: [{ path: drive!, side: 'm' as const, format: 'qcow2' }], readonly });
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inside!: () => void;
      const entered = new Promise<void>((r) => (inside = r));
      const reading = pool.use(spec(true), async (h) => {
        await h.call('readdir', { path: '/data', side: 'm' });
        inside();
        await gate;
        return h.call('read', { path: '/data/keep', side: 'm' });
      });
      await entered;
      const writing = pool.use(spec(false), async (h) => h.call('write', { path: '/data/w', data: Buffer.from('w\n').toString('base64'), create: true, overwrite: true }));
      setTimeout(release, 2000);
      assert.equal(Buffer.from((await reading) as string, 'base64').toString(), 'unchanged\n', 'the call in progress finished');
      await writing;
      assert.equal(pool.peek('k')?.readonly, false, 'then it was opened read-write');
    } finally {
      await pool.dispose();
    }
  });
});
