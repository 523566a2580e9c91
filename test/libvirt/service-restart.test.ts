/**
 * Events and a libvirt daemon restart on the real daemon: the event stream reports lifecycle events once each,
 * the service reports the lost connection and its return, and the sessions serve again afterwards.
 * The restart is short and done once, and only where nothing else uses the daemon (npm test sets the variable).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { LibvirtUnavailableError, type Qq2Error } from '../../src/core/errors';
import type { CloneInfo, CloneRef, DomainEvent } from '../../src/libvirt/api';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import { TestBed, TEST_URI } from '../testbed';

const ref = (c: CloneInfo): CloneRef => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name });
const PIDFILE = '/run/libvirtd.pid';

function daemonPid(): number | undefined {
  try {
    const pid = Number(fs.readFileSync(PIDFILE, 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function until(what: string, f: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('libvirt service: events and daemon restart', function () {
  let bed: TestBed;
  let svc: Libvirt;
  let tpl: { name: string };
  const events: DomainEvent[] = [];
  const changes: (Qq2Error | undefined)[] = [];

  before(() => {
    bed = new TestBed('svcr');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
    tpl = bed.makeTemplateFile(svc.config.templateDir, 'tpl');
    svc.onEvent((e) => events.push(e));
    svc.onConnectionChange((p) => changes.push(p));
  });
  after(() => {
    // Whatever happened, the daemon must be running for everyone else.
    if (daemonPid() === undefined) spawnSync('libvirtd', ['-d']);
    svc?.dispose();
    bed?.cleanup();
  });

  it('reports lifecycle events of our clones, each once', async () => {
    const [c] = await svc.clone(tpl.name, 1);
    await new Promise((r) => setTimeout(r, 300));
    await svc.run('start', [ref(c!)]);
    await until('Started event', () => events.some((e) => e.domain === c!.name && e.event === 'Started'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      events.filter((e) => e.domain === c!.name && e.event !== 'Resumed').map((e) => `${e.event} ${e.detail}`),
      ['Defined Added', 'Started Booted'],
    );
  });

  // Stops the daemon for a moment: runs where nothing else uses it (QQ2CLONE_TEST_RESTART_DAEMON=1, as npm test sets).
  (process.env.QQ2CLONE_TEST_RESTART_DAEMON === '1' ? it : it.skip)('survives a libvirtd restart: reports the loss and the return, sessions and events serve again', async () => {
    const before = await svc.inventory();
    const c = before.clones.find((x) => x.template === tpl.name)!;
    assert.equal(c.state, 'running');
    const pid = daemonPid();
    assert.ok(pid, 'libvirtd runs with a pid file');
    process.kill(pid, 'SIGTERM');
    await until('the loss to be reported', () => changes.some((p) => p !== undefined), 10_000);
    const lost = changes.find((p) => p !== undefined)!;
    assert.ok(lost instanceof LibvirtUnavailableError);
    assert.equal(lost.reason, 'daemon-down');
    assert.match(lost.hint, /Start the libvirt daemon/);
    await until('libvirtd to stop', () => daemonPid() === undefined, 10_000);
    const r = spawnSync('libvirtd', ['-d']);
    assert.equal(r.status, 0, String(r.stderr));
    await until('the return to be reported', () => changes[changes.length - 1] === undefined && changes.length >= 2, 60_000);
    // The same service (its sessions reconnect or are replaced) answers again; the guest kept running.
    const after = await svc.inventory();
    assert.equal(after.clones.find((x) => x.uuid === c.uuid)?.state, 'running');
    const n = events.length;
    const r2 = await svc.run('destroy', [ref(c)]);
    assert.equal(r2.done.length, 1, JSON.stringify(r2.failed.map((f) => f.error.message)));
    await until('Stopped event after the restart', () => events.slice(n).some((e) => e.domain === c.name && e.event === 'Stopped'), 10_000);
    assert.equal((await svc.run('rm', [ref(c)])).done.length, 1);
  });
});
