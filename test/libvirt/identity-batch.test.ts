/**
 * A batch of identities in one appliance, on real qcow2 overlays of the test guest: each clone's disk is mounted at
 * its turn and flushed when its identity is written, so a clone reported written holds its identity on disk even if
 * the appliance dies right after; a disk that cannot take one gets its reason and the others go on; a `clone N` whose
 * identities cannot be written defines and starts none of its clones.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLibvirtService } from '../../src/libvirt';
import type { LibvirtService } from '../../src/libvirt/api';
import { identityJob, setTemplateIdentity, writeIdentities, type IdentityJob } from '../../src/libvirt/identity';
import { ensureGuest } from '../guest';
import { TestBed, TEST_URI, qemuImg } from '../testbed';

const GUESTFS_ENV = { ...process.env, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' };

/** /etc/hostname and /etc/machine-id of a disk, read by a read-only appliance of its own. */
function readBack(disk: string): { hostname: string; machineId: string } {
  const out = execFileSync('guestfish', ['--ro', '--format=qcow2', '-a', disk, '-m', '/dev/sda', 'cat', '/etc/hostname', ':', 'cat', '/etc/machine-id'], {
    env: GUESTFS_ENV,
    encoding: 'utf8',
  });
  const [hostname, machineId] = out.split('\n').filter((l) => l.trim());
  return { hostname: hostname!, machineId: machineId! };
}

/** QEMU processes that have this file open on their command line (the appliance holding a clone's overlay). */
function qemuUsing(file: string): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      return /qemu-system/.test(cmd) && cmd.includes(file) ? [Number(p)] : [];
    } catch {
      return [];
    }
  });
}

describe('identities of a batch in one appliance', function () {
  this.timeout(900_000);
  let bed: TestBed;
  let svc: LibvirtService;

  before(() => {
    bed = new TestBed('idbatch');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
  });

  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  const overlay = (name: string): string => {
    const file = path.join(bed.root, 'images', `${name}.qcow2`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    qemuImg('create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', ensureGuest().rootImage, file);
    return file;
  };
  const job = (id: number, disk: string): IdentityJob =>
    identityJob({ template: 'tpl', id, name: `tpl-${id}`, uuid: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}` }, '', { hostname: 'box-{number}' }, [disk]);

  it('a disk without a filesystem gets its reason; the clones around it are written', async () => {
    const jobs = [job(1, overlay('a1')), job(2, bed.makeDisk('images/blank.qcow2')), job(3, overlay('a3'))];
    const r = await writeIdentities(jobs, { knownHosts: path.join(bed.root, 'known_hosts') });
    const failed = r.get(jobs[1]!.uuid);
    assert.ok(failed instanceof Error, String(failed));
    assert.match(failed.message, /The identity of .* could not be written: .*no filesystem/);
    for (const j of [jobs[0]!, jobs[2]!]) {
      const w = r.get(j.uuid);
      assert.ok(w && !(w instanceof Error), String(w));
      assert.deepEqual(readBack(j.disks[0]!), { hostname: j.hostname, machineId: w.applied.machineId });
    }
  });

  it('a clone reported written holds its identity on disk even when the appliance is killed right after', async () => {
    const jobs = [job(4, overlay('k4')), job(5, overlay('k5')), job(6, overlay('k6'))];
    let killed: number[] = [];
    const r = await writeIdentities(jobs, {
      knownHosts: path.join(bed.root, 'known_hosts'),
      onProgress: (done) => {
        if (done !== 1) return;
        // No clean shutdown: only what reached the overlay file counts.
        killed = qemuUsing(jobs[0]!.disks[0]!);
        for (const pid of killed) process.kill(pid, 'SIGKILL');
      },
    });
    assert.equal(killed.length, 1, 'one appliance held the overlays');
    const first = r.get(jobs[0]!.uuid);
    assert.ok(first && !(first instanceof Error), String(first));
    assert.deepEqual(readBack(jobs[0]!.disks[0]!), { hostname: 'box-4', machineId: first.applied.machineId });
    for (const j of jobs.slice(1)) assert.ok(r.get(j.uuid) instanceof Error, `${j.what} is not reported written after the appliance died`);
  });

  it('in groups: each group is released and its host keys pinned before the next appliance starts', async () => {
    const jobs = [job(7, overlay('g7')), job(8, overlay('g8'))];
    const knownHosts = path.join(bed.root, 'known_hosts-groups');
    const seen: { uuids: string[]; held: number; pinned: boolean; nextHeld: number }[] = [];
    const r = await writeIdentities(jobs, {
      knownHosts,
      maxDrives: 1,
      onGroupWritten: async (written) => {
        const uuids = [...written.keys()];
        const disk = jobs.find((j) => j.uuid === uuids[0])!.disks[0]!;
        const other = jobs.find((j) => j.uuid !== uuids[0])!.disks[0]!;
        const pinned = fs.existsSync(knownHosts) && fs.readFileSync(knownHosts, 'utf8').includes(`${uuids[0]} ssh-ed25519 `);
        seen.push({ uuids, held: qemuUsing(disk).length, pinned, nextHeld: qemuUsing(other).length });
      },
    });
    assert.deepEqual(
      seen,
      jobs.map((j) => ({ uuids: [j.uuid], held: 0, pinned: true, nextHeld: 0 })),
    );
    for (const j of jobs) assert.ok(!(r.get(j.uuid) instanceof Error), String(r.get(j.uuid)));
  });

  it('clone 2 of a template whose disk takes no identity: neither clone is defined or started, each says why', async () => {
    const tpl = bed.makeTemplateFile(path.join(bed.root, 'templates'), 'blank');
    await svc.writeTemplateXml(tpl.name, fs.readFileSync(tpl.xmlPath, 'utf8'));
    await setTemplateIdentity(svc, tpl.name, { hostname: 'blank-{number}' });
    const r = await svc.cloneBatch(tpl.name, 2, { run: true });
    assert.deepEqual(r.made, []);
    assert.deepEqual(r.failed.map((f) => f.id), [1, 2]);
    for (const f of r.failed) assert.match(f.error.message, /could not be written: .*no filesystem/);
    assert.deepEqual(bed.domains().filter((d) => d !== tpl.name && d.startsWith(tpl.name)), []);
  });
});
