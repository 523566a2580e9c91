/**
 * The hook as the daemon runs it: installed into the real /etc/libvirt/hooks, the daemon restarted so that it uses
 * it, then real clones stopped with virsh destroy: the daemon calls the hook, whose worker resets or removes them,
 * while a domain that is not ours is untouched; status says the daemon uses the hook; uninstall and one more restart
 * leave /etc/libvirt/hooks and the daemon as they were found. Restarts the daemon (test/daemon.ts says which and how):
 * runs only where nothing else uses it (QQ2CLONE_TEST_RESTART_DAEMON=1, as npm test sets), else its title says why.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { hookPaths, hookStatus, installHook, parsePolicyLog, uninstallHook, type HookPaths, type PolicyLogEntry } from '../../src/libvirt/policy';
import { TestBed, TEST_URI, tinyDomainXml, tryVirsh, virsh, domainExists, pollUntil } from '../testbed';
import { reads, write } from './templateHelpers';
import { daemonFacts, daemonPid, ensureStarted, planRestart, restartTitle } from '../daemon';

const plan = planRestart(daemonFacts(TEST_URI));

/**
 * Restarts the daemon that serves the domains (test/daemon.ts: libvirtd, or virtqemud with modular daemons; started
 * again by systemd where it runs it) and waits until it answers; `whileStopped` runs while no daemon runs.
 */
async function restartDaemon(whileStopped?: () => Promise<unknown>): Promise<void> {
  if ('skip' in plan) throw new Error(plan.skip);
  // The daemon's pid now: another test file may have restarted it since this file was loaded.
  const pid = daemonPid(plan.daemon) ?? plan.pid;
  process.kill(pid, 'SIGTERM');
  await pollUntil(`${plan.daemon} to stop`, () => daemonPid(plan.daemon) !== pid, 30_000);
  await whileStopped?.();
  ensureStarted(plan);
  await pollUntil(`${plan.daemon} to answer`, () => tryVirsh('version') !== undefined, 60_000);
}

function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return ['(absent)'];
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

const sha256 = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

('skip' in plan ? describe.skip : describe)(restartTitle('power-off policies through the hook run by the daemon (restarts it)', plan), function () {
  this.timeout(600_000);
  let bed: TestBed;
  let paths: HookPaths;
  let found: string[];
  let cliJs: string;
  let tpl: { name: string; disk: string };
  const q = (...args: string[]): string => {
    const r = spawnSync(process.execPath, [cliJs, ...args], {
      encoding: 'utf8',
      env: { ...process.env, QQ2CLONE_HOME: bed.root, LIBVIRT_DEFAULT_URI: TEST_URI, QQ2CLONE_HOOK_STATE: paths.stateDir },
    });
    assert.equal(r.status, 0, `qq2clone ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const entries = (): PolicyLogEntry[] => parsePolicyLog(fs.existsSync(path.join(paths.stateDir, 'actions.log')) ? fs.readFileSync(path.join(paths.stateDir, 'actions.log'), 'utf8') : '');

  before(async () => {
    bed = new TestBed('polhook');
    // The real hooks directory; the state (worker, note, log) in the bed.
    paths = { hooksDir: hookPaths({}).hooksDir, stateDir: path.join(bed.root, 'hook-state') };
    found = tree(paths.hooksDir);
    cliJs = path.join(bed.root, 'cli.js');
    const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' } as const;
    await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: cliJs });
    await build({ ...common, entryPoints: ['src/libvirt/policy/worker.ts'], outfile: path.join(bed.root, 'hook-worker.js') });
    tpl = bed.makeTemplateFile(path.join(bed.root, 'templates'), 'tpl');
    await installHook(paths, path.join(bed.root, 'hook-worker.js'), { node: process.execPath, uri: TEST_URI, templateDir: path.join(bed.root, 'templates') }, {
      storage: [path.join(bed.root, 'qq2clone-pool')],
      templateDirs: [path.join(bed.root, 'templates')],
    });
    assert.equal((await hookStatus(paths)).use, 'restart-needed');
    await restartDaemon();
  });
  after(async () => {
    // While the daemon runs, uninstall leaves an inert placeholder (a start under way must find a file to run);
    // an uninstall while no daemon runs removes it.
    // The bed holds the hook's state folder, whose manifest lists the folders the install made: it goes last.
    await uninstallHook(paths).catch(() => undefined);
    try {
      await restartDaemon(() => uninstallHook(paths).catch(() => undefined)).finally(() => ensureStarted(plan));
    } finally {
      bed?.cleanup();
    }
    assert.deepEqual(tree(paths.hooksDir), found, '/etc/libvirt/hooks as it was found');
  });

  it('the daemon started after the install uses the hook; a destroyed reset clone is made afresh, a remove clone is gone', async () => {
    assert.equal((await hookStatus(paths)).use, 'will-be-used');
    q('modify-template', tpl.name, 'policy', 'reset');
    q('-n', '-t', tpl.name, 'clone', '2');
    q('-t', tpl.name, 'policy', '2', 'remove');
    const reset = `${tpl.name}-1`;
    const overlay = /<source file='([^']+)'/.exec(virsh('dumpxml', reset))![1]!;
    write(overlay, 0xab, '1M');
    const sum = sha256(tpl.disk);
    virsh('start', reset);
    const uuid = virsh('domuuid', reset).trim();
    virsh('destroy', reset);
    await pollUntil('the reset to be logged', () => entries().some((e) => e.uuid === uuid && e.action === 'reset'));
    assert.equal(reads(overlay, 0xab, '1M'), false);
    assert.equal(sha256(tpl.disk), sum);
    const st = await hookStatus(paths);
    assert.equal(st.use, 'in-use', st.message);
    const gone = `${tpl.name}-2`;
    const goneUuid = virsh('domuuid', gone).trim();
    virsh('start', gone);
    virsh('destroy', gone);
    await pollUntil('the removal', () => !domainExists(goneUuid));
    // The worker logs once it has also deleted the files, a moment after the domain is gone.
    await pollUntil('the removal to be logged', () => entries().some((e) => e.uuid === goneUuid));
    assert.equal(entries().find((e) => e.uuid === goneUuid)?.action, 'removed', JSON.stringify(entries().find((e) => e.uuid === goneUuid)));
  });

  it('a domain that is not ours is started and stopped normally and untouched', async () => {
    const name = `${bed.prefix}-foreign`;
    const disk = bed.makeDisk('foreign.qcow2');
    write(disk, 0xcd, '1M');
    fs.writeFileSync(path.join(bed.root, 'foreign.xml'), tinyDomainXml({ name, disk, mac: '52:54:00:aa:bb:7f' }));
    virsh('define', path.join(bed.root, 'foreign.xml'));
    const sum = sha256(disk);
    virsh('start', name);
    virsh('destroy', name);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(virsh('domstate', name).trim(), 'shut off');
    assert.equal(sha256(disk), sum);
    assert.equal(entries().filter((e) => e.name === name).length, 0);
  });
});
