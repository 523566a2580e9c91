/**
 * The "done when" on the real test guest, without restarting the daemon: clones of a template of the guest
 * power off from inside (busybox poweroff: shut off (shutdown)) or crash (sysrq c, pvpanic, on_crash destroy: shut
 * off (crashed)); once with the hook (installed in a temporary hooks directory, run as the daemon runs it at a stop:
 * the same argv, the live XML captured before the stop, on stdin; the real worker) and the CLI only, once with no
 * hook and the extension's enforcer following lifecycle events.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import { HOOK_FILE_NAME, parsePolicyLog, type PolicyLogEntry } from '../../src/libvirt/policy';
import { PolicyEnforcer } from '../../src/extension/policy/enforcer';
import { guestExec, waitForGuest } from '../guest';
import { TestBed, TEST_URI, virsh, domstateBecomes } from '../testbed';

const LIBVIRT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const sha256 = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

async function until<T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    const v = f();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

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
  let bed: TestBed;
  let cliJs: string;
  let hooksDir: string;
  let stateDir: string;
  let tpl: { name: string; disk: string };
  let tplSum: string;
  const env = () => ({ ...process.env, QQ2CLONE_HOME: bed.root, LIBVIRT_DEFAULT_URI: TEST_URI, QQ2CLONE_HOOKS_DIR: hooksDir, QQ2CLONE_HOOK_STATE: stateDir });
  const ok = (...args: string[]): string => {
    const r = spawnSync(process.execPath, [cliJs, ...args], { encoding: 'utf8', env: env(), timeout: 180_000 });
    assert.equal(r.status, 0, `qq2clone ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const newClones = (n: number): string[] => [...ok('-n', '-t', tpl.name, 'clone', String(n)).matchAll(/Created clone \d+ \(([^)]+)\)/g)].map((m) => m[1]!);
  const idOf = (name: string) => name.slice(tpl.name.length + 1);
  const hookEntries = (): PolicyLogEntry[] =>
    parsePolicyLog(fs.existsSync(path.join(stateDir, 'actions.log')) ? fs.readFileSync(path.join(stateDir, 'actions.log'), 'utf8') : '');
  /** What libvirt does at the end of a stop: the hook's stopped and release calls with the domain's live XML. */
  function runHookAtStop(name: string, liveXml: string): void {
    const hook = path.join(hooksDir, 'qemu.d', HOOK_FILE_NAME);
    for (const op of [['stopped', 'end', '-'], ['release', 'end', '-']]) {
      const r = spawnSync(hook, [name, ...op], { input: liveXml, encoding: 'utf8', env: { PATH: LIBVIRT_PATH }, timeout: 5000 });
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
    }
  }

  before(async () => {
    bed = new TestBed('polguest');
    cliJs = path.join(bed.root, 'cli.js');
    hooksDir = path.join(bed.root, 'hooks');
    stateDir = path.join(bed.root, 'hook-state');
    const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' } as const;
    await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: cliJs });
    await build({ ...common, entryPoints: ['src/libvirt/policy/worker.ts'], outfile: path.join(bed.root, 'hook-worker.js') });
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
      const e = await until('the reset', () => hookEntries().find((x) => x.uuid === uuid));
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
      const e = await until('the decision', () => hookEntries().find((x) => x.uuid === uuid));
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
      const e = await until('the reset', () => seen.find((x) => x.uuid === uuid));
      assert.deepEqual([e.action, e.reason, e.by], ['reset', 'shutdown', 'extension'], JSON.stringify(e));
      virsh('start', dom!);
      await waitForGuest(dom!);
      assert.equal(await markerExists(dom!), false);
      virsh('destroy', dom!);
      await until('the reset after destroy', () => (seen.filter((x) => x.uuid === uuid).length >= 2 ? true : undefined));
      virsh('start', crashing!);
      await waitForGuest(crashing!);
      const cu = virsh('domuuid', crashing!).trim();
      await guestExec(crashing!, ['sh', '-c', '(sleep 1; echo c > /proc/sysrq-trigger) >/dev/null 2>&1 &']).catch(() => undefined);
      await domstateBecomes(crashing!, /^shut off/);
      const c = await until('the decision', () => seen.find((x) => x.uuid === cu));
      assert.deepEqual([c.action, c.reason], ['kept', 'crashed'], JSON.stringify(c));
      assert.match(virsh('domstate', '--reason', crashing!), /shut off \(crashed\)/);
      assert.equal(sha256(tpl.disk), tplSum);
      await enforcer.idle();
    });
  });
});
