/** Which operation applies to which state, per-clone locks and the bounded parallel loop. */
import * as assert from 'node:assert/strict';
import { CLONE_STATES } from '../../src/core/states';
import { forEachBounded } from '../../src/core/limit';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LibvirtError, LibvirtUnavailableError } from '../../src/core/errors';
import { mapFailure } from '../../src/libvirt/process/failures';
import { explainStartFailure, skipReason } from '../../src/libvirt/clones/setOperations';
import { cloneName, randomMac } from '../../src/libvirt/clones/makeClones';
import { Locks } from '../../src/libvirt/process/locks';
import * as os from 'node:os';
import { isInside } from '../../src/libvirt/storage';

const applies = (op: Parameters<typeof skipReason>[0]) => CLONE_STATES.filter((s) => skipReason(op, s) === undefined);

describe('SET operations: what applies where', () => {
  it('each operation applies to the states the manual implies', () => {
    assert.deepEqual(applies('start'), ['off', 'saved']);
    assert.deepEqual(applies('destroy'), ['running', 'idle', 'paused', 'in-shutdown', 'crashed', 'pmsuspended']);
    assert.deepEqual(applies('suspend'), ['running', 'idle']);
    assert.deepEqual(applies('resume'), ['paused']);
    assert.deepEqual(applies('save'), ['running', 'idle', 'paused']);
    assert.deepEqual(applies('save-rm'), ['saved']);
    for (const rm of ['rm', 'rm-wipe', 'rm-shred'] as const) assert.deepEqual(applies(rm), [...CLONE_STATES]);
    assert.equal(skipReason('start', 'running'), 'already running');
    assert.equal(skipReason('save-rm', 'off'), 'has no saved state');
  });

  it('per-clone locks run operations on one clone one after another, on different clones at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-locks-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const locks = new Locks(dir);
    const log: string[] = [];
    const step = (uuid: string, tag: string, ms: number) =>
      locks.with(uuid, async () => {
        log.push(`${tag}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${tag}-`);
      });
    await Promise.all([step('a', 'a1', 30), step('a', 'a2', 1), step('b', 'b1', 5)]);
    // a1 and b1 take their locks at the same moment: which logs first is a race, and not what is tested.
    const at = (e: string): number => log.indexOf(e);
    assert.deepEqual([...log].sort(), ['a1+', 'a1-', 'a2+', 'a2-', 'b1+', 'b1-'], log.join(' '));
    assert.ok(at('a1-') < at('a2+'), `one clone: a2 begins only after a1 ended (${log.join(' ')})`);
    assert.ok(at('b1+') < at('a1-') && at('a1+') < at('b1-') && at('b1-') < at('a1-'), `different clones at once: b1 ran while a1 held its lock (${log.join(' ')})`);
  });

  it('the bounded loop never exceeds its bound and stops taking items once aborted', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const ac = new AbortController();
    await forEachBounded(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        seen.push(i);
        await new Promise((r) => setTimeout(r, 2));
        if (i === 7) ac.abort();
        running--;
      },
      ac.signal,
    );
    assert.equal(peak, 3);
    assert.ok(seen.length >= 8 && seen.length <= 10, `took ${seen.length}`);
  });

  it('names, MACs and the storage containment check', () => {
    assert.equal(cloneName('deb', 12), 'deb-12');
    const used = new Set<string>();
    for (let i = 0; i < 200; i++) assert.match(randomMac(used), /^52:54:00(:[0-9a-f]{2}){3}$/);
    assert.equal(used.size, 200);
    assert.ok(isInside('/s/pool/a.qcow2', '/s/pool'));
    assert.ok(!isInside('/s/pool/../t.qcow2', '/s/pool'));
    assert.ok(!isInside('/s/pool', '/s/pool'));
    assert.ok(!isInside('/s/pool2/a', '/s/pool'));
  });

  it('a start refused by QEMU image locking is explained; other start failures keep their own message', () => {
    const clone = { template: 'deb', id: 3, name: 'deb-3', uuid: 'u3' };
    const stderr = fs.readFileSync(path.join(__dirname, '../fixtures/virsh/err-start-lock.txt'), 'utf8');
    const raw = mapFailure({ program: 'virsh', args: ['start', 'u3'], stderr, exitCode: 1 });
    const shared = new LibvirtError('internal error: qemu-system-x86_64: Failed to get shared "write" lock\nIs another process using the image [/t/d.qcow2]?');
    for (const e of [raw, shared]) {
      const x = explainStartFailure(e, clone);
      assert.ok(x instanceof LibvirtError && x !== e);
      assert.match(x.message, /^Clone 3 \(deb-3\) of deb cannot start: another running VM has the template's image open for writing \(QEMU write lock\)\..*Shut that VM down/);
      assert.ok(x.message.endsWith(e.message), 'QEMU\'s own text is kept');
      assert.equal(x.failure, e.failure);
    }
    // Other start failures, as the failure mapping makes them from virsh's real stderr: a refused image is a failed
    // start (16) that names the file, not a lock and not "no permission to use libvirt".
    for (const f of ['err-start-denied.txt', 'err-start-backing-denied.txt']) {
      const denied = mapFailure({ program: 'virsh', args: ['start', 'u3'], stderr: fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8'), exitCode: 1, uri: 'qemu:///system' });
      assert.ok(denied instanceof LibvirtError && !(denied instanceof LibvirtUnavailableError), `${f}: ${denied.name}`);
      assert.equal(denied.exitCode, 16);
      assert.match(denied.message, /x\.qcow2.*Permission denied.*qemu user/);
      assert.equal(explainStartFailure(denied, clone), denied);
    }
    const notLibvirt = new Error('Failed to get "write" lock');
    assert.equal(explainStartFailure(notLibvirt, clone), notLibvirt);
  });
});
