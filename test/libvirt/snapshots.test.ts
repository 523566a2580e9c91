/**
 * Snapshots of clones on the real daemon: internal snapshots in the clones' qcow2 overlays. On the real test guest a
 * running clone's snapshot keeps its memory (a process started before it runs again after the revert) and its disk
 * (a file deleted after it is back, read through the agent); five clones are snapshotted and reverted at once;
 * the guard refuses a clone whose writable disk is a template's image and one with a saved state; rm leaves no
 * domain, overlay or snapshot metadata; the template image's checksum never changes.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../src/core/errors';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import type { CloneInfo, CloneRef } from '../../src/libvirt/api';
import { guestExec, waitForGuest } from '../guest';
import { TestBed, TEST_URI, qemuImg, virsh } from '../testbed';

const sha256 = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const ref = (c: CloneInfo): CloneRef => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name });
/** Internal snapshots inside an image file, as qemu-img lists them. */
const imageSnapshots = (file: string): string[] =>
  ((JSON.parse(qemuImg('info', '-U', '--output=json', file)) as { snapshots?: { name: string }[] }).snapshots ?? []).map((s) => s.name);
/** libvirt's own directory of a domain's snapshot metadata. */
const metadataDir = (name: string) => path.join('/var/lib/libvirt/qemu/snapshot', name);

describe('snapshots of clones (internal, in their overlays)', function () {
  this.timeout(900_000);
  let bed: TestBed;
  let svc: Libvirt;
  let tpl: { name: string; disk: string };
  let tplSum: string;

  before(() => {
    bed = new TestBed('snap');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
    tpl = bed.makeGuestTemplate(svc.config.templateDir, 'g');
    tplSum = sha256(tpl.disk);
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });
  afterEach(() => assert.equal(sha256(tpl.disk), tplSum, 'the template image is unchanged'));

  it('a running clone: its snapshot keeps memory and disk; after a deleted file and a killed sleep, revert brings both back', async () => {
    const [c] = await svc.clone(tpl.name, 1, { run: true });
    await waitForGuest(c!.name);
    const w = await guestExec(c!.name, ['sh', '-c', 'echo kept > /root/file && sync && (sleep 100000 </dev/null >/dev/null 2>&1 & echo $!)']);
    assert.equal(w.exitCode, 0, w.stderr);
    const pid = w.stdout.trim();
    const r = await svc.snapshot({ kind: 'create', name: 'before', description: 'with memory' }, [ref(c!)]);
    assert.deepEqual([r.done.length, r.failed.map((f) => f.error.message)], [1, []]);
    const [s] = await svc.snapshots(c!.uuid);
    assert.deepEqual([s!.name, s!.description, s!.state, s!.withMemory, s!.internal, s!.current], ['before', 'with memory', 'running', true, true, true]);
    const [overlay] = await svc.cloneDisks(c!.uuid);
    assert.deepEqual(imageSnapshots(overlay!), ['before'], 'the snapshot is inside the overlay');

    const gone = await guestExec(c!.name, ['sh', '-c', `rm /root/file && sync && kill ${pid} && ! test -e /root/file && ! kill -0 ${pid} 2>/dev/null`]);
    assert.equal(gone.exitCode, 0, gone.stderr);
    const back = await svc.snapshot({ kind: 'revert', name: 'before' }, [ref(c!)]);
    assert.deepEqual([back.done.length, back.failed.map((f) => f.error.message)], [1, []]);
    assert.match(virsh('domstate', c!.name), /^running/);
    await waitForGuest(c!.name);
    const seen = await guestExec(c!.name, ['sh', '-c', `cat /root/file && cat /proc/${pid}/cmdline | tr '\\0' ' '`]);
    assert.deepEqual([seen.exitCode, seen.stdout], [0, 'kept\nsleep 100000 ']);
  });

  it('an off clone: a disk-only snapshot, listed newest first with the current one marked; delete removes it from the overlay', async () => {
    const c = (await svc.inventory()).clones.find((x) => x.template === tpl.name && x.id === 1)!;
    virsh('destroy', c.uuid);
    const r = await svc.snapshot({ kind: 'create', name: 'off-1' }, [ref(c)]);
    assert.deepEqual(r.failed.map((f) => f.error.message), []);
    const list = await svc.snapshots(c.uuid);
    assert.deepEqual(list.map((s) => [s.name, s.state, s.withMemory, s.current]), [
      ['off-1', 'shutoff', false, true],
      ['before', 'running', true, false],
    ]);
    const d = await svc.snapshot({ kind: 'delete', name: 'off-1' }, [ref(c)]);
    assert.equal(d.done.length, 1);
    const [overlay] = await svc.cloneDisks(c.uuid);
    assert.deepEqual(imageSnapshots(overlay!), ['before']);
    assert.deepEqual((await svc.snapshots(c.uuid)).map((s) => s.name), ['before']);
  });

  it('five clones at once: snapshotted together, written to, reverted together: each overlay holds its old data again', async () => {
    const five = (await svc.clone(tpl.name, 5)).map(ref);
    const progress: number[] = [];
    const r = await svc.snapshot({ kind: 'create', name: 'base' }, five, { onProgress: (p) => progress.push(p.done) });
    assert.deepEqual([r.done.length, r.failed.length, progress.length], [5, 0, 5]);
    const overlays = await Promise.all(five.map(async (c) => (await svc.cloneDisks(c.uuid))[0]!));
    // A pattern written at offset 0 of each overlay after the snapshot (the disks are off: qemu-io may write them).
    for (const o of overlays) execQemuIo(o, 'write -P 0xab 0 64k');
    for (const o of overlays) assert.match(execQemuIo(o, 'read -P 0xab 0 64k'), /read 65536\/65536/);
    const back = await svc.snapshot({ kind: 'revert', name: 'base' }, five);
    assert.deepEqual([back.done.length, back.failed.map((f) => f.error.message)], [5, []]);
    for (const o of overlays) assert.match(execQemuIo(o, 'read -P 0xab 0 64k'), /Pattern verification failed/);
  });

  it('refuses, without asking libvirt, a clone whose writable disk is a template image, and one with a saved state', async () => {
    const [c] = await svc.clone(tpl.name, 1);
    const xml = virsh('dumpxml', '--inactive', c!.uuid);
    const [overlay] = await svc.cloneDisks(c!.uuid);
    const file = path.join(bed.root, 'bad.xml');
    fs.writeFileSync(file, xml.replace(`file='${overlay}'`, `file='${tpl.disk}'`));
    virsh('define', file);
    const r = await svc.snapshot({ kind: 'create', name: 'x' }, [ref(c!)]);
    assert.equal(r.failed.length, 1);
    assert.ok(r.failed[0]!.error instanceof UsageError);
    assert.match(r.failed[0]!.error.message, /is a template's image/);
    assert.deepEqual(imageSnapshots(tpl.disk), []);
    assert.equal(virsh('snapshot-list', '--name', c!.uuid).trim(), '');

    fs.writeFileSync(file, xml);
    virsh('define', file);
    virsh('start', c!.uuid);
    await waitForGuest(c!.name);
    virsh('managedsave', c!.uuid);
    const saved = await svc.snapshot({ kind: 'create', name: 'x' }, [ref(c!)]);
    assert.match(saved.failed[0]?.error.message ?? '', /saved state.*save-rm/);
    assert.equal(virsh('snapshot-list', '--name', c!.uuid).trim(), '');
  });

  it('rm of clones with snapshots leaves no domain, no overlay and no snapshot metadata', async () => {
    const mine = (await svc.inventory()).clones.filter((x) => x.template === tpl.name);
    const withSnaps = await svc.snapshotsOf(mine.map((c) => c.uuid));
    assert.ok([...withSnaps.values()].filter((l) => l.length > 0).length >= 6);
    const overlays = (await Promise.all(mine.map((c) => svc.cloneDisks(c.uuid)))).flat();
    const r = await svc.run('rm', mine.map(ref));
    assert.deepEqual([r.done.length, r.failed.map((f) => f.error.message)], [mine.length, []]);
    for (const c of mine) {
      assert.equal(bed.domains().includes(c.name), false, c.name);
      assert.equal(fs.existsSync(metadataDir(c.name)), false, metadataDir(c.name));
    }
    for (const o of overlays) assert.equal(fs.existsSync(o), false, o);
  });
});

/** qemu-io on an image that no process has open; its stdout (a failed pattern check is output, not an error). */
function execQemuIo(file: string, cmd: string): string {
  const r = spawnSync('qemu-io', ['-f', 'qcow2', '-c', cmd, file], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}
