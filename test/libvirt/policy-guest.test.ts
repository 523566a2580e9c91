/**
 * The "done when" on the real test guest, without restarting the daemon: clones of a template of the guest
 * power off from inside (busybox poweroff: shut off (shutdown)) or crash (sysrq c, pvpanic, on_crash destroy: shut
 * off (crashed)); once with the hook (installed in a temporary hooks directory, run as the daemon runs it at a stop:
 * the same argv, the live XML captured before the stop, on stdin; the real worker) and the CLI only, once with no
 * hook and the extension's enforcer following lifecycle events.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import type { PolicyLogEntry } from '../../src/libvirt/policy';
import { PolicyEnforcer } from '../../src/extension/policy/enforcer';
import { guestExec, waitForGuest } from '../guest';
import { TestBed, TEST_URI, virsh, domstateBecomes, pollUntil } from '../testbed';
import { PolicyBed } from './policyBed';

const sha256 = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

/** Writes a file inside the running guest and flushes it to its disk. */
async function writeMarker(dom: string): Promise<void> {
  const r = await guestExec(dom, ['sh', '-c', 'echo changed > /root/marker && sync && cat /root/marker']);
  assert.equal(r.stdout, 'changed\n');
}

async function markerExists(dom: string): Promise<boolean> {
  return (await guestExec(dom, ['sh', '-c', 'test -e /root/marker'])).exitCode === 0;
}

describe('power-off policies on the real test guest', function () {
  this.timeout(900_000);
  let pb: PolicyBed;
  let bed: TestBed;
  let tpl: { name: string; disk: string };
  let tplSum: string;
  const ok = (...args: string[]): string => pb.ok(...args);
  const newClones = (n: number): string[] => [...ok('-n', '-t', tpl.name, 'clone', String(n)).matchAll(/Created clone \d+ \(([^)]+)\)/g)].map((m) => m[1]!);
  const idOf = (name: string) => name.slice(tpl.name.length + 1);
  const hookEntries = (): PolicyLogEntry[] => pb.hookEntries();
  const runHookAtStop = (name: string, liveXml: string): void => pb.runHookAtStop(name, liveXml);

  before(async () => {
    pb = await PolicyBed.make('polguest');
    bed = pb.bed;
    tpl = bed.makeGuestTemplate(path.join(bed.root, 'templates'), 'g', { onCrash: 'destroy' });
    tplSum = sha256(tpl.disk);
    ok('modify-template', tpl.name, 'policy', 'reset');
  });
  after(() => bed?.cleanup());

  describe('with the hook, CLI only', () => {
    before(() => ok('hook', 'install'));
    after(() => ok('hook', 'uninstall'));

    it('a reset clone that wrote a file and powered off from inside boots clean; the template image is unchanged', async () => {
      const [dom] = newClones(1);
      virsh('start', dom!);
      await waitForGuest(dom!);
      await writeMarker(dom!);
      const live = virsh('dumpxml', dom!);
      const uuid = virsh('domuuid', dom!).trim();
      await guestExec(dom!, ['poweroff']).catch(() => undefined);
      assert.equal(await domstateBecomes(dom!, /^shut off/), 'shut off (shutdown)');
      runHookAtStop(dom!, live);
      const e = await pollUntil('the reset', () => hookEntries().find((x) => x.uuid === uuid));
      assert.deepEqual([e.action, e.reason, e.by], ['reset', 'shutdown', 'hook'], JSON.stringify(e));
      virsh('start', dom!);
      await waitForGuest(dom!);
      assert.equal(await markerExists(dom!), false, 'the file written before the power-off is gone');
      virsh('destroy', dom!);
      assert.equal(sha256(tpl.disk), tplSum);
    });

    it('a crashed remove clone (sysrq c, pvpanic, on_crash destroy) is kept under the default reasons', async () => {
      const [dom] = newClones(1);
      ok('-t', tpl.name, 'policy', idOf(dom!), 'remove');
      virsh('start', dom!);
      await waitForGuest(dom!);
      const live = virsh('dumpxml', dom!);
      const uuid = virsh('domuuid', dom!).trim();
      await guestExec(dom!, ['sh', '-c', '(sleep 1; echo c > /proc/sysrq-trigger) >/dev/null 2>&1 &']).catch(() => undefined);
      assert.equal(await domstateBecomes(dom!, /^shut off/), 'shut off (crashed)');
      runHookAtStop(dom!, live);
      const e = await pollUntil('the decision', () => hookEntries().find((x) => x.uuid === uuid));
      assert.deepEqual([e.action, e.reason], ['kept', 'crashed'], JSON.stringify(e));
      assert.match(virsh('domstate', dom!), /shut off/);
    });
  });

  describe('without the hook, the extension following lifecycle events', () => {
    let svc: Libvirt;
    let enforcer: PolicyEnforcer;
    const seen: PolicyLogEntry[] = [];
    before(() => {
      svc = createLibvirtService({ uri: TEST_URI, home: bed.root, templateDir: path.join(bed.root, 'templates') });
      enforcer = new PolicyEnforcer(svc, { logFile: path.join(bed.root, 'policy-actions.log'), hookActive: () => false, onAction: (e) => seen.push(e) });
    });
    after(() => {
      enforcer?.dispose();
      svc?.dispose();
    });

    it('a reset clone that wrote a file and powered off from inside boots clean; a crashed one is kept', async () => {
      const [dom, crashing] = newClones(2);
      ok('-t', tpl.name, 'policy', idOf(crashing!), 'remove');
      virsh('start', dom!);
      await waitForGuest(dom!);
      await writeMarker(dom!);
      const uuid = virsh('domuuid', dom!).trim();
      await guestExec(dom!, ['poweroff']).catch(() => undefined);
      await domstateBecomes(dom!, /^shut off/);
      const e = await pollUntil('the reset', () => seen.find((x) => x.uuid === uuid));
      assert.deepEqual([e.action, e.reason, e.by], ['reset', 'shutdown', 'extension'], JSON.stringify(e));
      virsh('start', dom!);
      await waitForGuest(dom!);
      assert.equal(await markerExists(dom!), false);
      virsh('destroy', dom!);
      await pollUntil('the reset after destroy', () => seen.filter((x) => x.uuid === uuid).length >= 2);
      virsh('start', crashing!);
      await waitForGuest(crashing!);
      const cu = virsh('domuuid', crashing!).trim();
      await guestExec(crashing!, ['sh', '-c', '(sleep 1; echo c > /proc/sysrq-trigger) >/dev/null 2>&1 &']).catch(() => undefined);
      await domstateBecomes(crashing!, /^shut off/);
      const c = await pollUntil('the decision', () => seen.find((x) => x.uuid === cu));
      assert.deepEqual([c.action, c.reason], ['kept', 'crashed'], JSON.stringify(c));
      assert.match(virsh('domstate', '--reason', crashing!), /shut off \(crashed\)/);
      assert.equal(sha256(tpl.disk), tplSum);
      await enforcer.idle();
    });
  });
});
