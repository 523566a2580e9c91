// The image store's local-file implementation (the one clone, rm, check, staging and the power-off policies use),
// on real qcow2 files made with qemu-img and read back with qemu-io and qemu-img.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEST_URI, TestBed, qemuImg, virsh } from '../testbed';
import { explainNoSpace, localFileStore, openImageStore, type ImageStore } from '../../src/libvirt/storage';
import { op, runOnce } from '../../src/libvirt/process';

function qemuIo(image: string, command: string): string {
  return execFileSync('qemu-io', ['-c', command, image], { encoding: 'utf8' });
}
/** True when `len` bytes at `offset` of the guest's view of `image` all hold `pattern`. */
function reads(image: string, pattern: number, offset: string, len = '64k'): boolean {
  try {
    return !/verification failed/i.test(qemuIo(image, `read -P 0x${pattern.toString(16)} ${offset} ${len}`));
  } catch (e) {
    if (/verification failed/i.test(String((e as { stdout?: string }).stdout ?? ''))) return false;
    throw e;
  }
}
const info = (f: string): { format: string; 'backing-filename'?: string; 'backing-filename-format'?: string } =>
  JSON.parse(qemuImg('info', '-U', '--output=json', f)) as never;

describe('image store: local files (qemu-img, qemu-io)', () => {
  let bed: TestBed;
  let store: ImageStore;
  let dir: string;
  let base: string;
  beforeEach(() => {
    bed = new TestBed('store');
    store = localFileStore((args) => Promise.resolve(virsh(...args)));
    dir = path.join(bed.root, 'pool');
    fs.mkdirSync(dir, { recursive: true });
    base = bed.makeDisk('images/base.qcow2');
    qemuIo(base, 'write -P 0x11 0 64k');
  });
  afterEach(() => bed.cleanup());

  it('makes an overlay on a backing image, writing the detected or the given backing format', async () => {
    const raw = path.join(bed.root, 'images/base.raw');
    qemuImg('convert', '-O', 'raw', base, raw);
    const a = path.join(dir, 'a.qcow2');
    const b = path.join(dir, 'b.qcow2');
    await store.createOverlay(raw, a);
    await store.createOverlay(base, b, { backingFormat: 'qcow2' });
    assert.equal(info(a)['backing-filename'], raw);
    assert.equal(info(a)['backing-filename-format'], 'raw', 'detected, not guessed');
    assert.equal(info(b)['backing-filename-format'], 'qcow2');
    assert.ok(reads(a, 0x11, '0') && reads(b, 0x11, '0'), 'both show the backing image data');
  });

  it('makes a batch of overlays, refuses an existing target and leaves nothing of its own after close', async () => {
    const batch = await store.overlayBatch(base, dir);
    const targets = [1, 2, 3].map((i) => path.join(dir, `c${i}.qcow2`));
    for (const t of targets) await batch.make(t);
    qemuIo(targets[0]!, 'write -P 0xab 0 64k');
    assert.ok(reads(targets[0]!, 0xab, '0'));
    assert.ok(reads(targets[1]!, 0x11, '0'), 'each overlay is its own: writing one leaves the others');
    fs.writeFileSync(path.join(dir, 'taken.qcow2'), 'mine');
    await assert.rejects(batch.make(path.join(dir, 'taken.qcow2')), /EEXIST/);
    assert.equal(fs.readFileSync(path.join(dir, 'taken.qcow2'), 'utf8'), 'mine', 'an existing file is never replaced');
    await batch.close();
    assert.deepEqual(fs.readdirSync(dir).sort(), ['c1.qcow2', 'c2.qcow2', 'c3.qcow2', 'taken.qcow2']);
    for (const t of targets) assert.equal(info(t)['backing-filename'], base);
  });

  it('reserves names without replacing a file, then writes the overlay into the reserved name', async () => {
    const first = await store.reserveName(path.join(dir, 'new'), 'x-vda');
    const second = await store.reserveName(path.join(dir, 'new'), 'x-vda');
    assert.equal(first, path.join(dir, 'new', 'x-vda.qcow2'));
    assert.notEqual(second, first);
    assert.match(path.basename(second), /^x-vda-[0-9a-f]{6}\.qcow2$/);
    await store.createOverlay(base, first);
    assert.equal(info(first)['backing-filename'], base);
  });

  it('resets an overlay: the guest writes are gone, its backing, owner and mode stay', async () => {
    const o = path.join(dir, 'o.qcow2');
    await store.createOverlay(base, o);
    qemuIo(o, 'write -P 0xcd 0 64k');
    fs.chmodSync(o, 0o640);
    assert.ok(reads(o, 0xcd, '0'));
    await store.resetOverlay(o);
    assert.ok(reads(o, 0x11, '0'), 'the backing data shows through again');
    assert.equal(info(o)['backing-filename'], base);
    assert.equal(fs.statSync(o).mode & 0o777, 0o640);
    assert.deepEqual(fs.readdirSync(dir), ['o.qcow2'], 'no temporary file left');
  });

  it('resets with the backing format the overlay records, never probing it: a raw template that looks like qcow2 stays raw', async () => {
    // The template's image is raw, but its first bytes are a qcow2 header naming a backing file of its choice.
    const secret = path.join(bed.root, 'images/secret.raw');
    fs.writeFileSync(secret, Buffer.alloc(1 << 20, 0x5e));
    const fake = path.join(bed.root, 'images/looks-qcow2.raw');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', secret, '-F', 'raw', fake, '1M');
    const o = path.join(dir, 'o.qcow2');
    await store.createOverlay(fake, o, { backingFormat: 'raw' });
    assert.equal(info(o)['backing-filename-format'], 'raw');
    await store.resetOverlay(o);
    assert.equal(info(o)['backing-filename'], fake);
    assert.equal(info(o)['backing-filename-format'], 'raw', 'the format the overlay recorded, not the one a probe guesses');
  });

  it('reset never follows a link swapped in for its temporary file: the link target keeps its owner, mode and bytes', async () => {
    const o = path.join(dir, 'o.qcow2');
    await store.createOverlay(base, o);
    fs.chownSync(o, 4242, 4242);
    fs.chmodSync(o, 0o640);
    const victim = path.join(bed.root, 'victim');
    fs.writeFileSync(victim, 'root only', { mode: 0o600 });
    // A watcher in the storage folder swaps the reset's temporary file for a link to the victim as soon as it appears.
    let swapped = 0;
    const watcher = fs.watch(dir, (_ev, name) => {
      const n = String(name ?? '');
      if (!n.includes('.reset-')) return;
      const p = path.join(dir, n);
      try {
        if (fs.lstatSync(p).isSymbolicLink()) return;
        fs.renameSync(p, path.join(bed.root, `moved-${swapped}`));
        fs.symlinkSync(victim, p);
        swapped++;
      } catch {
        // gone already
      }
    });
    try {
      await store.resetOverlay(o).catch(() => undefined);
    } finally {
      watcher.close();
    }
    assert.ok(swapped > 0, 'the watcher swapped the temporary file');
    const st = fs.statSync(victim);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [0, 0, 0o600], 'the link target keeps its owner and mode');
    assert.equal(fs.readFileSync(victim, 'utf8'), 'root only');
    assert.equal(fs.lstatSync(o).isSymbolicLink(), false, 'the overlay is not replaced by the link');
  });

  it('flattens a chain into a read-only standalone image', async () => {
    const o = path.join(dir, 'o.qcow2');
    await store.createOverlay(base, o);
    qemuIo(o, 'write -P 0xee 64k 64k');
    const flat = path.join(dir, 'gen', 'flat.qcow2');
    await store.flatten(o, flat);
    assert.equal(info(flat)['backing-filename'], undefined);
    assert.ok(reads(flat, 0x11, '0') && reads(flat, 0xee, '64k'));
    assert.equal(fs.statSync(flat).mode & 0o222, 0);
    await assert.rejects(store.flatten(path.join(dir, 'missing.qcow2'), path.join(dir, 'gen', 'no.qcow2')));
    assert.deepEqual(fs.readdirSync(path.join(dir, 'gen')), ['flat.qcow2'], 'a failed flatten leaves nothing');
  });

  it('answers exists, stat and list, and tells a symbolic link from the file it points to', async () => {
    const o = path.join(dir, 'o.qcow2');
    await store.createOverlay(base, o);
    fs.symlinkSync(o, path.join(dir, 'link.qcow2'));
    fs.mkdirSync(path.join(dir, 'sub'));
    assert.equal(await store.exists(o), true);
    assert.equal(await store.exists(path.join(dir, 'none')), false);
    assert.equal(await store.stat(path.join(dir, 'none')), undefined);
    const st = (await store.stat(o))!;
    assert.equal(st.isFile, true);
    assert.equal(st.size, fs.statSync(o).size);
    assert.ok(st.createdMs > 0 && st.mtimeMs >= st.createdMs - 1000);
    assert.equal((await store.stat(path.join(dir, 'link.qcow2')))!.isFile, false);
    assert.equal((await store.stat(path.join(dir, 'link.qcow2'), { followLinks: true }))!.isFile, true);
    assert.deepEqual((await store.list(dir)).map((f) => f.path), [o], 'regular files only');
    assert.deepEqual(await store.list(path.join(dir, 'no-such-dir')), []);
  });

  it('wipes with zeros and shreds, keeping the size; deletes, a file already gone included', async () => {
    const w = path.join(dir, 'w.qcow2');
    const s = path.join(dir, 's.qcow2');
    await store.createOverlay(base, w);
    await store.createOverlay(base, s);
    const size = fs.statSync(w).size;
    const before = fs.readFileSync(s);
    await store.wipe(w);
    assert.equal(fs.statSync(w).size, size);
    assert.ok(fs.readFileSync(w).every((b) => b === 0), 'every byte is zero (the qcow2 header too)');
    await store.shred(s);
    // shred writes whole blocks: the last one is filled up to the file system's block size.
    const after = fs.readFileSync(s);
    assert.ok(after.length >= before.length && after.length - before.length < fs.statSync(s).blksize);
    assert.ok(!after.subarray(0, 4096).equals(before.subarray(0, 4096)), 'shred overwrote the header');
    await store.delete(w);
    await store.delete(w);
    assert.equal(fs.existsSync(w), false);
  });

  it('reports the free space df reports for an unprivileged writer', async () => {
    const free = await store.freeSpace(dir);
    const df = Number(execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).split('\n')[1]);
    assert.ok(free > 0);
    // Both read the same file system a moment apart: within 64 MiB of each other.
    assert.ok(Math.abs(free - df) < 64 << 20, `${free} vs df ${df}`);
  });

  it('explains a write refused for lack of space (qemu-img and file writes into /dev/full), nothing else', async () => {
    const fromTool = await runOnce(op('qemu-img', ['convert', '-q', '-O', 'qcow2', base, '/dev/full'])).then(
      () => assert.fail('qemu-img wrote into /dev/full'),
      (e: unknown) => e,
    );
    const fromFs = await fs.promises.writeFile('/dev/full', 'x').then(() => assert.fail('wrote /dev/full'), (e: unknown) => e);
    for (const e of [fromTool, fromFs]) {
      const before = (e as Error).message;
      const same = await explainNoSpace(e, store, dir);
      assert.equal(same, e, 'the same error, its message extended');
      assert.ok((e as Error).message.startsWith(before));
      assert.match((e as Error).message, new RegExp(`The storage ${dir} is full \\(\\d+(\\.\\d)? [MG]iB free\\): free some space there, or use a location with room \\(--storage`));
    }
    const other = new Error('Permission denied');
    assert.equal((await explainNoSpace(other, store, dir)).message, 'Permission denied');
  });

  it('locates a directory pool by name through libvirt, and an absolute path as itself', async () => {
    const pool = `${path.basename(bed.root)}-pool`;
    const target = path.join(bed.root, 'pooldir');
    fs.mkdirSync(target);
    virsh('pool-create-as', pool, 'dir', '--target', target);
    try {
      const s = openImageStore({ config: { uri: TEST_URI }, virsh: (args) => Promise.resolve(virsh(...args)) });
      assert.deepEqual(await s.locate(pool), { dir: target, pool });
      assert.deepEqual(await s.locate(`${dir}/./x/..`), { dir });
      await assert.rejects(s.locate('not a pool'), /neither an absolute path nor a storage pool name/);
    } finally {
      virsh('pool-destroy', pool);
    }
  });
});
