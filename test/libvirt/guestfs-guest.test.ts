/**
 * Disk access on the real test guest (test/guest): a clone boots and adds, changes and deletes files through the
 * guest agent; its disk is read while it runs (and writing is refused); once off, Compare with Template and the
 * CLI's diff show exactly what it did; a file copied into it is seen by the guest on its next boot; the template's
 * image never changes. Three appliance starts and two boots in all (each 15-25 s under TCG).
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PermissionError } from '../../src/core/errors';
import { changeLine } from '../../src/core/treeDiff';
import { runCli } from '../../src/cli/run';
import { createLibvirtService } from '../../src/libvirt';
import { DiskAccess } from '../../src/libvirt/disks';
import type { CloneInfo, LibvirtService } from '../../src/libvirt/api';
import { guestExec, waitForGuest } from '../guest';
import { TestBed, TEST_URI, virsh } from '../testbed';

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** What the guest does to its disk, and the diff lines that must come of it (and nothing else). */
const GUEST_SCRIPT = [
  'mkdir /root/made',
  'echo added > /root/made/added.txt',
  'echo added > /root/added.txt',
  'printf qq2clone-GUEST\\\\n > /etc/hostname', // same size as before: only the content compare can tell
  'echo "export X=1" >> /etc/profile',
  'chmod 600 /etc/passwd',
  'rm /etc/shells',
  'sync',
].join(' && ');
const EXPECTED = ['M /etc/hostname', 'M /etc/passwd', 'M /etc/profile', '- /etc/shells', '+ /root/added.txt', '+ /root/made', '+ /root/made/added.txt'];

describe('disk access on the real test guest', function () {
  this.timeout(600_000);
  let bed: TestBed;
  let service: LibvirtService;
  let disk: DiskAccess;
  let tpl: { name: string; disk: string };
  let imageSum: string;
  let c1: CloneInfo;
  const t1 = () => ({ template: tpl.name, clone: 1 });

  const waitOff = async (name: string) => {
    for (let i = 0; i < 600 && virsh('domstate', name).trim() !== 'shut off'; i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal(virsh('domstate', name).trim(), 'shut off');
  };

  before(async () => {
    bed = new TestBed('gfsg');
    const made = bed.makeGuestTemplate(path.join(bed.root, 'templates'), 'tpl');
    tpl = made;
    service = createLibvirtService({ uri: TEST_URI, home: bed.root });
    await service.writeTemplateXml(made.name, fs.readFileSync(made.xmlPath, 'utf8'));
    imageSum = sha256(made.disk);
    [c1] = await service.clone(made.name, 1);
    disk = new DiskAccess(service, { max: () => 2, idleMs: () => 600_000 });
  });

  after(async () => {
    await disk?.dispose();
    service?.dispose();
    bed?.cleanup();
  });

  it('a running clone: files it wrote are read from its disk; writing into it is refused', async () => {
    virsh('start', c1!.name);
    await waitForGuest(c1!.name);
    const r = await guestExec(c1!.name, ['sh', '-c', GUEST_SCRIPT]);
    assert.equal(r.exitCode, 0, r.stderr);
    const opened = await disk.openDisk(t1());
    assert.equal(opened.readonly, true);
    assert.deepEqual(opened.mounts.map((m) => m.mountpoint), ['/']);
    assert.equal((await disk.readFile(t1(), '/root/added.txt')).toString(), 'added\n');
    assert.equal((await disk.readFile(t1(), '/etc/hostname')).toString(), 'qq2clone-GUEST\n');
    await assert.rejects(
      disk.writeFile(t1(), '/root/x', Buffer.from('x'), { create: true, overwrite: true }),
      (e: unknown) => e instanceof PermissionError && /is running: its disk is read-only while it runs/.test(e.message),
    );
    await disk.close(t1());
    await guestExec(c1!.name, ['poweroff']).catch(() => undefined);
    virsh('shutdown', c1!.name);
    await waitOff(c1!.name);
  });

  it('once off, Compare with Template and the CLI diff show exactly what the guest did', async () => {
    const changes = await disk.diff(t1());
    assert.deepEqual(changes.map(changeLine), EXPECTED);
    assert.deepEqual(changes.find((c) => c.path === '/etc/passwd')!.what, ['mode']);
    assert.deepEqual(changes.find((c) => c.path === '/etc/hostname')!.what, ['content']);
    assert.equal((await disk.readFile(t1(), '/etc/hostname', { side: 'b' })).toString(), 'qq2clone-guest\n');
    // The CLI is another process: it cannot open the clone for writing while this appliance holds its lock.
    await disk.close(t1());
    const out = { code: -1, stdout: '', stderr: '' };
    out.code = await runCli(['-t', tpl.name, 'diff', '1'], {
      io: { stdout: (s) => (out.stdout += s), stderr: (s) => (out.stderr += s), env: { ...process.env, QQ2CLONE_HOME: bed.root }, stdinIsTTY: false },
      makeService: (config) => createLibvirtService({ ...config, uri: TEST_URI }),
    });
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(out.stdout.trim().split('\n'), EXPECTED);
  });

  it('a file copied into the clone while it is off is seen by the guest on its next boot', async () => {
    const local = path.join(bed.root, 'payload.txt');
    fs.writeFileSync(local, 'from the host\n');
    await disk.copyIn(t1(), local, '/root');
    await disk.close(t1());
    virsh('start', c1!.name);
    await waitForGuest(c1!.name);
    const r = await guestExec(c1!.name, ['cat', '/root/payload.txt']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, 'from the host\n');
    virsh('destroy', c1!.name);
  });

  it("the template's image never changed", () => {
    assert.equal(sha256(tpl.disk), imageSum);
  });
});
