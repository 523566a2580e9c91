/**
 * Events and a libvirt daemon restart on the real daemon: the event stream reports lifecycle events once each,
 * the service reports the lost connection and its return, and the sessions serve again afterwards.
 * The restart is short and done once, and only where nothing else uses the daemon (npm test sets the variable); it
 * stops whichever daemon serves the domains (libvirtd, or virtqemud with modular daemons), see test/daemon.ts, and
 * where it cannot run its title says why.
 */
import * as assert from 'node:assert/strict';
import { LibvirtUnavailableError, type Qq2Error } from '../../src/core/errors';
import type { CloneInfo, CloneRef, DomainEvent } from '../../src/libvirt/api';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import { daemonFacts, daemonPid, ensureStarted, planRestart, restartTitle } from '../daemon';
import { TestBed, TEST_URI, pollUntil } from '../testbed';

const ref = (c: CloneInfo): CloneRef => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name });
const plan = planRestart(daemonFacts(TEST_URI));

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
    ensureStarted(plan);
    svc?.dispose();
    bed?.cleanup();
  });

  it('reports lifecycle events of our clones, each once', async () => {
    const [c] = await svc.clone(tpl.name, 1);
    await new Promise((r) => setTimeout(r, 300));
    await svc.run('start', [ref(c!)]);
    await pollUntil('Started event', () => events.some((e) => e.domain === c!.name && e.event === 'Started'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      events.filter((e) => e.domain === c!.name && e.event !== 'Resumed').map((e) => `${e.event} ${e.detail}`),
      ['Defined Added', 'Started Booted'],
    );
  });

  // Stops the daemon for a moment: runs where nothing else uses it (QQ2CLONE_TEST_RESTART_DAEMON=1, as npm test sets).
  ('skip' in plan ? it.skip : it)(restartTitle('survives a daemon restart: reports the loss and the return, sessions and events serve again', plan), async () => {
    if ('skip' in plan) return;
    const before = await svc.inventory();
    const c = before.clones.find((x) => x.template === tpl.name)!;
    assert.equal(c.state, 'running');
    // The daemon's pid now: another test file may have restarted it since this file was loaded.
    const pid = daemonPid(plan.daemon) ?? plan.pid;
    process.kill(pid, 'SIGTERM');
    await pollUntil('the loss to be reported', () => changes.some((p) => p !== undefined), 10_000);
    const lost = changes.find((p) => p !== undefined)!;
    assert.ok(lost instanceof LibvirtUnavailableError);
    assert.equal(lost.reason, 'daemon-down');
    assert.match(lost.hint, /Start the libvirt daemon/);
    await pollUntil(`${plan.daemon} to stop`, () => daemonPid(plan.daemon) !== pid, 10_000);
    ensureStarted(plan);
    await pollUntil('the return to be reported', () => changes[changes.length - 1] === undefined && changes.length >= 2, 60_000);
    // The same service (its sessions reconnect or are replaced) answers again; the guest kept running.
    const after = await svc.inventory();
    assert.equal(after.clones.find((x) => x.uuid === c.uuid)?.state, 'running');
    const n = events.length;
    const r2 = await svc.run('destroy', [ref(c)]);
    assert.equal(r2.done.length, 1, JSON.stringify(r2.failed.map((f) => f.error.message)));
    await pollUntil('Stopped event after the restart', () => events.slice(n).some((e) => e.domain === c.name && e.event === 'Stopped'), 10_000);
    assert.equal((await svc.run('rm', [ref(c)])).done.length, 1);
  });
});
