// Sessions started early. Processes the CLI's bin starts before the command's code loads: a session takes one for
// its own connection, never one for another connection or one that has ended, and an unused one does not keep the
// process that started it running. Sessions the service starts when a batch's size is known (SessionPool.warm).
// Real virsh, real daemon.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Libvirt } from '../../src/libvirt/service';
import { SessionPool } from '../../src/libvirt/virsh/pool';
import { VirshSession } from '../../src/libvirt/virsh/session';
import { prestartSessions, takePrestarted } from '../../src/libvirt/virsh/sessionProcess';
import { TestBed, TEST_URI } from '../testbed';

/** Takes (and ends) whatever is left for `uri`; how many there were. */
function drain(uri: string): number {
  let n = 0;
  for (let p = takePrestarted(uri); p; p = takePrestarted(uri)) {
    p.kill();
    n++;
  }
  return n;
}

describe('virsh sessions started early', function () {
  this.timeout(120_000);
  afterEach(() => drain(TEST_URI));

  it('are taken by sessions of their connection, which answer through them', async () => {
    prestartSessions(TEST_URI, 2);
    const a = new VirshSession(TEST_URI);
    const b = new VirshSession(TEST_URI);
    try {
      const [ra, rb] = await Promise.all([a.run(['uri']), b.run(['uri'])]);
      assert.equal(ra.trim(), TEST_URI);
      assert.equal(rb.trim(), TEST_URI);
      assert.equal(takePrestarted(TEST_URI), undefined, 'both sessions took one, none is left');
    } finally {
      a.close();
      b.close();
    }
  });

  it('are not taken for another connection', () => {
    prestartSessions(TEST_URI, 1);
    assert.equal(takePrestarted('test:///default'), undefined);
    assert.equal(drain(TEST_URI), 1);
  });

  it('are not taken once ended; the session starts its own', async () => {
    prestartSessions(TEST_URI, 1);
    // The registry both builds of the CLI share (sessionProcess.ts): its process ends before any session looks.
    const [entry] = (globalThis as Record<symbol, { p: ChildProcess }[]>)[Symbol.for('qq2clone.prestartedVirshSessions')]!;
    entry!.p.kill();
    await once(entry!.p, 'close');
    assert.equal(takePrestarted(TEST_URI), undefined);
    const s = new VirshSession(TEST_URI);
    try {
      assert.equal((await s.run(['uri'])).trim(), TEST_URI);
    } finally {
      s.close();
    }
  });

  it('do not keep the process that started them running when no session takes them', async () => {
    const script = `import(${JSON.stringify(path.resolve(__dirname, '../../src/libvirt/virsh/sessionProcess.ts'))}).then((m) => (m.prestartSessions ? m : m.default).prestartSessions(${JSON.stringify(TEST_URI)}, 2));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: 'inherit' });
    // Still running after a minute: it is held open (ended here so the test reports instead of hanging).
    const stuck = setTimeout(() => child.kill(), 60_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(stuck);
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
  });

  it('are started by the pool up to its size, and serve commands', async () => {
    const pool = new SessionPool(TEST_URI, 3);
    try {
      pool.warm(10);
      assert.equal(pool.open, 3);
      const answers = await pool.batch([['uri'], ['uri'], ['uri']], undefined, 3);
      assert.deepEqual(answers.map((a) => (a.status === 'fulfilled' ? a.value.trim() : a.reason)), [TEST_URI, TEST_URI, TEST_URI]);
      assert.equal(pool.open, 3, 'the batch used the sessions started for it');
    } finally {
      pool.dispose();
    }
  });

  it('are started by a SET operation for as many clones as it acts on at once, before it reads their states', async () => {
    const bed = new TestBed('warm');
    const svc = new Libvirt({ uri: TEST_URI, home: bed.root });
    try {
      // Clones that do not exist: each is skipped, after the states are read (one session would do for that).
      const refs = [1, 2, 3].map((id) => ({ template: `${bed.prefix}-tpl`, id, uuid: randomUUID(), name: `${bed.prefix}-tpl-${id}` }));
      const r = await svc.run('destroy', refs);
      assert.deepEqual(r.skipped.map((s) => s.reason), ['no longer exists', 'no longer exists', 'no longer exists']);
      assert.equal(svc.sessions, 3);
    } finally {
      svc.dispose();
      bed.cleanup();
    }
  });
});
