/** Locks across processes (two Locks on one folder stand for two processes), the save image folder, MAC parsing. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError } from '../../src/core/errors';
import { Locks, cloneKey, lockDir, templateKey } from '../../src/libvirt/process/locks';
import { managedSaveDir } from '../../src/libvirt/storage/managedSave';
import { parseMacAttributes } from '../../src/libvirt/clones/macs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('locks held across processes', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-locks-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a lock held by one holder makes another (on the same folder) wait, and only until it is released', async () => {
    const [a, b] = [new Locks(dir), new Locks(dir)];
    const log: string[] = [];
    let release!: () => void;
    const first = a.with('template-T', async () => {
      log.push('a+');
      await new Promise<void>((r) => (release = r));
      log.push('a-');
    });
    while (!log.includes('a+')) await sleep(5); // a holds the lock now (however long taking it took)
    const second = b.withAll(['clone-1', 'template-T'], async () => void log.push('b'));
    await sleep(300);
    assert.deepEqual(log, ['a+'], 'b waits while a holds template-T');
    release();
    await Promise.all([first, second]);
    assert.deepEqual(log, ['a+', 'a-', 'b']);
    assert.deepEqual(fs.readdirSync(dir), [], 'no lock left on disk');
  });

  it('waiting ends with CancelledError on abort and leaves the lock to its holder', async () => {
    const [a, b] = [new Locks(dir), new Locks(dir)];
    let release!: () => void;
    const first = a.with('k', () => new Promise<void>((r) => (release = r)));
    await sleep(50);
    const ac = new AbortController();
    const waiting = b.with('k', async () => assert.fail('must not run'), ac.signal);
    await sleep(100);
    ac.abort();
    await assert.rejects(waiting, CancelledError);
    assert.ok(fs.existsSync(path.join(dir, 'k.lock')), 'still held by the first');
    release();
    await first;
    await b.with('k', async () => undefined);
  });

  it('keys are file names; each connection has its folder, shared by every user of the system one', () => {
    assert.equal(templateKey('../a b'), 'template-..%2Fa%20b');
    assert.equal(cloneKey('ABC-1'), 'clone-abc-1');
    const d = lockDir('qemu:///system', { QQ2CLONE_LOCK_ROOT: '/l' });
    assert.equal(path.dirname(d), '/l');
    assert.equal(d, lockDir('qemu:///system', { QQ2CLONE_LOCK_ROOT: '/l', HOME: '/home/other', QQ2CLONE_HOME: '/elsewhere' }), 'not under a home');
    assert.notEqual(d, lockDir('qemu:///session', { QQ2CLONE_LOCK_ROOT: '/l' }));
    assert.equal(path.dirname(lockDir('qemu:///system', {})), '/run/lock/qq2clone');
  });
});

describe('managed save images and MAC lists', () => {
  it('the save folder of local QEMU connections; none for a remote one', () => {
    assert.equal(managedSaveDir('qemu:///system'), '/var/lib/libvirt/qemu/save');
    assert.equal(managedSaveDir('qemu+unix:///system?socket=/run/x'), '/var/lib/libvirt/qemu/save');
    assert.equal(managedSaveDir('qemu:///session', { HOME: '/home/u' }), '/home/u/.config/libvirt/qemu/save');
    assert.equal(managedSaveDir('qemu:///session', { XDG_CONFIG_HOME: '/c' }), '/c/libvirt/qemu/save');
    assert.equal(managedSaveDir('qemu+ssh://host/system'), undefined);
  });

  it('reads the MACs of virsh dumpxml --xpath output (as virsh 9 prints it), lower case', () => {
    assert.deepEqual(parseMacAttributes(' address="52:54:00:11:22:33"\n address="52:54:00:AA:22:34"\n'), ['52:54:00:11:22:33', '52:54:00:aa:22:34']);
    assert.deepEqual(parseMacAttributes(''), []);
  });
});
