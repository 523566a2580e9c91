/**
 * Power-off policy `revert` on the real test guest, with the hook and the CLI only (no extension): a clone with a
 * snapshot taken while it ran goes back to it after a power-off from inside (the hook run as the daemon runs it at
 * a stop, the real worker): running again, a file written before the snapshot there, one written after gone.
 * And reset of a clone with snapshots is refused unless the user chooses to drop them.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { HOOK_FILE_NAME, parsePolicyLog, type PolicyLogEntry } from '../../src/libvirt/policy';
import { guestExec, waitForGuest } from '../guest';
import { TestBed, TEST_URI, virsh, domstateBecomes } from '../testbed';

const LIBVIRT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const sha256 = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

async function until<T>(what: string, f: () => T | undefined, ms = 300_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    const v = f();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('power-off policy revert on the real test guest (hook and CLI, no extension)', function () {
  this.timeout(900_000);
  let bed: TestBed;
  let cliJs: string;
  let hooksDir: string;
  let stateDir: string;
  let tpl: { name: string; disk: string };
  let tplSum: string;
  const env = () => ({ ...process.env, QQ2CLONE_HOME: bed.root, LIBVIRT_DEFAULT_URI: TEST_URI, QQ2CLONE_HOOKS_DIR: hooksDir, QQ2CLONE_HOOK_STATE: stateDir });
  const q = (...args: string[]) => spawnSync(process.execPath, [cliJs, ...args], { encoding: 'utf8', env: env(), timeout: 300_000 });
  const ok = (...args: string[]): string => {
    const r = q(...args);
    assert.equal(r.status, 0, `qq2clone ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
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
    bed = new TestBed('polrev');
    cliJs = path.join(bed.root, 'cli.js');
    hooksDir = path.join(bed.root, 'hooks');
    stateDir = path.join(bed.root, 'hook-state');
    const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' } as const;
    await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: cliJs });
    await build({ ...common, entryPoints: ['src/libvirt/policy/worker.ts'], outfile: path.join(bed.root, 'hook-worker.js') });
    tpl = bed.makeGuestTemplate(path.join(bed.root, 'templates'), 'g');
    tplSum = sha256(tpl.disk);
    ok('hook', 'install');
  });
  after(() => {
    if (cliJs && fs.existsSync(cliJs)) q('hook', 'uninstall');
    bed?.cleanup();
  });
  afterEach(() => assert.equal(sha256(tpl.disk), tplSum, 'the template image is unchanged'));

  it('a clone powered off from inside goes back to its snapshot: running again, the file from before there, the later one gone', async () => {
    ok('-n', '-t', tpl.name, 'clone', '1');
    const dom = `${tpl.name}-1`;
    virsh('start', dom);
    await waitForGuest(dom);
    assert.equal((await guestExec(dom, ['sh', '-c', 'echo before > /root/before && sync'])).exitCode, 0);
    ok('-t', tpl.name, 'snapshot', '1', 'create', 'base');
    ok('-t', tpl.name, 'policy', '1', 'revert', 'base');
    assert.match(ok('-t', tpl.name, 'policy', '1'), /revert to base on shutdown,destroyed/);
    assert.equal((await guestExec(dom, ['sh', '-c', 'echo after > /root/after && sync'])).exitCode, 0);
    const live = virsh('dumpxml', dom);
    const uuid = virsh('domuuid', dom).trim();
    await guestExec(dom, ['poweroff']).catch(() => undefined);
    assert.equal(await domstateBecomes(dom, /^shut off/), 'shut off (shutdown)');
    runHookAtStop(dom, live);
    const e = await until('the revert', () => hookEntries().find((x) => x.uuid === uuid));
    assert.deepEqual([e.action, e.detail, e.reason, e.by], ['reverted', 'to snapshot base', 'shutdown', 'hook'], JSON.stringify(e));
    assert.match(virsh('domstate', dom), /^running/);
    await waitForGuest(dom);
    const seen = await guestExec(dom, ['sh', '-c', 'cat /root/before; test -e /root/after && echo after-is-there']);
    assert.equal(seen.stdout, 'before\n');
    virsh('destroy', dom);
  });

  it('reset of a clone with snapshots is refused with the reason; with --drop-snapshots its snapshots are deleted and reset is set', () => {
    const refused = q('-t', tpl.name, 'policy', '1', 'reset');
    assert.equal(refused.status, 12, refused.stderr);
    assert.match(refused.stderr, /reset is refused: it has snapshots, which live in the overlays that reset would make afresh/);
    assert.match(ok('-t', tpl.name, 'policy', '1'), /revert to base/);
    const out = ok('-t', tpl.name, 'policy', '1', 'reset', '--drop-snapshots');
    assert.match(out, /dropped snapshot base/);
    assert.equal(virsh('snapshot-list', '--name', `${tpl.name}-1`).trim(), '');
    assert.match(ok('-t', tpl.name, 'policy', '1'), /reset on shutdown,destroyed/);
  });
});
