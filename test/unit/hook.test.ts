/**
 * The qemu hook as libvirt runs it (sh, the same argv, the domain XML on stdin), with a stand-in worker that
 * records how it was started; and hook install/status/uninstall against temporary hooks and state directories.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOOK_FILE_NAME, hookScript, hookStatus, installHook, uninstallHook, type HookPaths } from '../../src/libvirt/policy';

const fx = (f: string) => fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8');
const OURS = fx('dumpxml-live-policy.xml');
const OURS_NO_POLICY = OURS.replace(/\s*<q2c:policy[^>]*\/>/, '');
const WORKER_OK = "if (process.argv[2] === '--check') console.log('qq2clone hook worker: ok');\n";
const FOREIGN = OURS.replace(/<metadata>[\s\S]*<\/metadata>/, '');

/** Every file under `dir` with its mode, for comparing trees. */
function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return ['(absent)'];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d).sort()) {
      const p = path.join(d, e);
      const st = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)} ${(st.mode & 0o7777).toString(8)}${st.isFile() ? ` ${fs.readFileSync(p, 'utf8').length}` : ''}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

describe('the qemu hook script, run as libvirt runs it', () => {
  let dir: string;
  let state: string;
  let script: string;
  let record: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-hook-'));
    state = path.join(dir, 'state');
    fs.mkdirSync(path.join(state, 'queue'), { recursive: true });
    record = path.join(dir, 'worker-record.json');
    // A stand-in worker: records its argv, environment and the saved XML, and whether the hook was still running.
    fs.writeFileSync(
      path.join(state, 'hook-worker.js'),
      `const fs = require('fs');
       const [file, reason, pid] = process.argv.slice(2);
       let hookAlive = true; try { process.kill(Number(pid), 0); } catch { hookAlive = false; }
       setTimeout(() => {
         let hookAliveLater = true; try { process.kill(Number(pid), 0); } catch { hookAliveLater = false; }
         fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ file, reason, pid, xml: fs.readFileSync(file, 'utf8'),
           uri: process.env.QQ2CLONE_URI, templateDir: process.env.QQ2CLONE_TEMPLATE_DIR, stdio: [0, 1, 2].map((fd) => fs.readlinkSync('/proc/self/fd/' + fd)),
           hookAliveLater }));
       }, 300);`,
    );
    script = path.join(dir, HOOK_FILE_NAME);
    fs.writeFileSync(script, hookScript({ stateDir: state, node: process.execPath, uri: 'qemu:///system', templateDir: '/t/d' }), { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], stdin: string) {
    return spawnSync(script, args, { input: stdin, encoding: 'utf8', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' } });
  }
  /**
   * Runs the hook and resolves once it and every process it started have ended: they all inherit the write end of
   * a pipe on fd 3, whose read end sees its end only when the last of them has exited (no time limit decides).
   */
  async function runToTheEnd(args: string[], stdin: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const p = spawn(script, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' } });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const allEnded = new Promise<void>((resolve) => (p.stdio[3] as NodeJS.ReadableStream).on('end', resolve).resume());
    const exited = new Promise<number | null>((resolve, reject) => p.on('exit', resolve).on('error', reject));
    // Like libvirt, write the XML whether or not the hook reads it (it reads it only at release).
    p.stdin!.on('error', () => undefined).end(stdin);
    const [status] = await Promise.all([exited, allEnded]);
    return { status, stdout, stderr };
  }
  async function waitFor(file: string, ms = 5000): Promise<boolean> {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (fs.existsSync(file)) return true;
    return false;
  }

  it('at start (and every other operation) prints nothing, exits 0, starts nothing, and notes the daemon pid', async () => {
    for (const op of [['prepare', 'begin', '-'], ['start', 'begin', '-'], ['started', 'begin', '-'], ['stopped', 'end', '-'], ['migrate', 'begin', '-'], ['restore', 'begin', '-']]) {
      const r = await runToTheEnd(['qqprobe-a', ...op], OURS);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', ''], op.join(' '));
    }
    assert.equal(fs.readFileSync(path.join(state, 'hook-note'), 'utf8'), `${process.pid}\n`, 'the note names the parent (the daemon)');
    assert.deepEqual(fs.readdirSync(path.join(state, 'queue')), []);
    assert.equal(fs.existsSync(record), false, 'no worker ran');
  });

  it('at release of a domain that is not ours, or ours without a policy: nothing', async () => {
    for (const xml of [FOREIGN, OURS_NO_POLICY, '']) {
      const r = await runToTheEnd(['qqprobe-a', 'release', 'end', '-'], xml);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
    }
    assert.equal(fs.existsSync(record), false, 'no worker ran');
    assert.deepEqual(fs.readdirSync(path.join(state, 'queue')), []);
  });

  it('at release of our clone with a policy: returns at once, silent, and the detached worker gets the XML, the reason argument and the hook pid', async () => {
    const r = run(['qqprobe-a', 'release', 'end', '-'], OURS);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
    assert.equal(fs.existsSync(record), false, 'the hook returned without waiting for its worker');
    assert.ok(await waitFor(record), 'the worker ran');
    // What the two tests above rely on: a worker the hook starts holds fd 3 until it ends, and then its record exists.
    fs.rmSync(record);
    assert.deepEqual((await runToTheEnd(['qqprobe-a', 'release', 'end', '-'], OURS)).status, 0);
    assert.equal(fs.existsSync(record), true, 'the worker had ended, its record written, when fd 3 closed');
    const w = JSON.parse(fs.readFileSync(record, 'utf8')) as Record<string, unknown>;
    assert.equal(w.xml, OURS.trimEnd(), 'the XML as given (sh drops the final newline)');
    assert.equal(w.reason, '-');
    assert.equal(w.uri, 'qemu:///system');
    assert.equal(w.templateDir, '/t/d');
    assert.equal(w.hookAliveLater, false);
    assert.deepEqual(w.stdio, ['/dev/null', '/dev/null', '/dev/null'], 'nothing holds libvirt\'s pipes open');
    assert.match(String(w.file), new RegExp(`^${state}/queue/\\d+\\.xml$`));
  });

  it('never fails or speaks, even when its state directory is gone', () => {
    fs.rmSync(state, { recursive: true });
    for (const op of [['start', 'begin', '-'], ['release', 'end', '-']]) {
      const r = run(['qqprobe-a', ...op], OURS);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', ''], op.join(' '));
    }
  });
});

describe('hook install, status and uninstall (temporary directories)', () => {
  let dir: string;
  let paths: HookPaths;
  let worker: string;
  let pidFile: string;
  const values = { node: process.execPath, uri: 'qemu:///system', templateDir: '/t/d' };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-hookdir-'));
    paths = { hooksDir: path.join(dir, 'etc', 'libvirt', 'hooks'), stateDir: path.join(dir, 'var', 'qq2clone') };
    worker = path.join(dir, 'worker.js');
    // A stand-in worker: its dry run (--check STATE) answers as the real one does when it can work.
    fs.writeFileSync(worker, WORKER_OK);
    pidFile = path.join(dir, 'daemon.pid');
    fs.mkdirSync(path.join(dir, 'etc', 'libvirt'), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('without a hooks directory: install makes hooks/qemu.d, uninstall leaves it as found (absent)', async () => {
    const before = tree(path.join(dir, 'etc'));
    const r = await installHook(paths, worker, values, { storage: [path.join(dir, 'pool')], templateDirs: [path.join(dir, 'templates')] });
    assert.equal(r.hook, path.join(paths.hooksDir, 'qemu.d', HOOK_FILE_NAME));
    assert.equal(fs.statSync(r.hook).mode & 0o777, 0o755);
    assert.equal(fs.readFileSync(r.worker, 'utf8'), WORKER_OK);
    await uninstallHook(paths, { daemonMayList: false });
    assert.deepEqual(tree(path.join(dir, 'etc')), before);
    assert.equal(fs.existsSync(paths.stateDir), false, 'the state directory it made is gone too (no log in it)');
  });

  it('with hooks of others: leaves them alone, and uninstall leaves the directory byte for byte as found', async () => {
    fs.mkdirSync(path.join(paths.hooksDir, 'qemu.d'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(paths.hooksDir, 'qemu'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    fs.writeFileSync(path.join(paths.hooksDir, 'qemu.d', '10-other'), '#!/bin/sh\n', { mode: 0o750 });
    const before = tree(paths.hooksDir);
    await installHook(paths, worker, values, { storage: [path.join(dir, 'pool')], templateDirs: [path.join(dir, 'templates')] });
    await installHook(paths, worker, values, { storage: [path.join(dir, 'pool')], templateDirs: [path.join(dir, 'templates')] });
    assert.equal(fs.readdirSync(path.join(paths.hooksDir, 'qemu.d')).length, 2);
    fs.writeFileSync(path.join(paths.stateDir, 'actions.log'), '{}\n');
    const u = await uninstallHook(paths, { daemonMayList: false });
    assert.ok(u.removed.some((f) => f.endsWith(HOOK_FILE_NAME)));
    assert.deepEqual(tree(paths.hooksDir), before);
    assert.deepEqual(fs.readdirSync(paths.stateDir), ['actions.log'], 'the action log is kept');
  });

  it('never overwrites or removes a file of the same name that is not ours', async () => {
    fs.mkdirSync(path.join(paths.hooksDir, 'qemu.d'), { recursive: true });
    const foreign = path.join(paths.hooksDir, 'qemu.d', HOOK_FILE_NAME);
    fs.writeFileSync(foreign, '#!/bin/sh\n# someone else\n', { mode: 0o755 });
    await assert.rejects(installHook(paths, worker, values, { storage: [path.join(dir, 'pool')], templateDirs: [path.join(dir, 'templates')] }), /not qq2clone's hook: not overwritten/);
    await assert.rejects(uninstallHook(paths, { daemonMayList: false }), /not qq2clone's hook: left alone/);
    assert.equal(fs.readFileSync(foreign, 'utf8'), '#!/bin/sh\n# someone else\n');
  });

  it('status: not installed; installed under a daemon started before (restart needed); one started after; the note of the running daemon', async function () {
    this.timeout(60_000);
    assert.equal((await hookStatus(paths, undefined, [pidFile])).use, 'not-installed');
    assert.match((await hookStatus(paths, undefined, [pidFile])).message, /not installed: power-off policies only apply while VS Code/);
    // This test process stands for a daemon that started before the install.
    fs.writeFileSync(pidFile, `${process.pid}\n`);
    await installHook(paths, worker, values, { storage: [path.join(dir, 'pool')], templateDirs: [path.join(dir, 'templates')] });
    const before = await hookStatus(paths, { ...values, stateDir: paths.stateDir }, [pidFile]);
    assert.deepEqual([before.installed, before.use, before.outdated], [true, 'restart-needed', false]);
    assert.match(before.message, /started before it and does not use it: restart libvirt/);
    // A daemon started after the install uses it.
    await new Promise((r) => setTimeout(r, 50));
    const later = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(pidFile, `${later.pid}\n`);
      assert.equal((await hookStatus(paths, undefined, [pidFile])).use, 'will-be-used');
    } finally {
      later.kill();
    }
    // The hook ran under the daemon that runs now: in use, whatever the times say.
    fs.writeFileSync(pidFile, `${process.pid}\n`);
    fs.writeFileSync(path.join(paths.stateDir, 'hook-note'), `${process.pid}\n`);
    const used = await hookStatus(paths, undefined, [pidFile]);
    assert.equal(used.use, 'in-use');
    assert.equal(used.lastRun?.daemonPid, process.pid);
    assert.equal((await hookStatus(paths, undefined, [path.join(dir, 'none.pid')])).use, 'no-daemon');
    assert.equal((await hookStatus(paths, { ...values, templateDir: '/other', stateDir: paths.stateDir }, [pidFile])).outdated, true);
  });
  it('uninstall while domains start: libvirt, which lists qemu.d and then runs each entry, never finds the hook gone', async function () {
    this.timeout(120_000);
    const hooks = path.join(paths.hooksDir, 'qemu.d');
    for (let round = 0; round < 5; round++) {
      await installHook(paths, worker, values, { storage: [path.join(dir, 'pool')], templateDirs: [path.join(dir, 'templates')] });
      // What libvirt does at each hook call, as fast as it can: list qemu.d, then run each executable entry.
      const loop = spawn('sh', ['-c', 'while :; do for f in "$1"/*; do [ -x "$f" ] || continue; "$f" dom prepare begin - </dev/null || echo "FAILED $f"; done; echo .; done', 'sh', hooks]);
      let out = '';
      let dots = 0;
      loop.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        dots += d.toString().split('.').length - 1;
      });
      loop.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const waitDots = async (n: number): Promise<void> => {
        const want = dots + n;
        for (const end = Date.now() + 30_000; dots < want && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
      };
      try {
        await waitDots(3);
        await uninstallHook(paths, { daemonMayList: true });
        await waitDots(20);
      } finally {
        loop.kill();
      }
      assert.doesNotMatch(out, /FAILED|not found|No such file/, `round ${round}: ${out.replace(/\.\n/g, '')}`);
      assert.ok(dots > 20, 'the stand-in daemon ran');
    }
    // The placeholder it leaves is inert, and an uninstall while no daemon may list the folder removes it.
    const left = path.join(hooks, HOOK_FILE_NAME);
    const r = spawnSync(left, ['dom', 'release', 'end', '-'], { input: OURS, encoding: 'utf8' });
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
    assert.equal((await hookStatus(paths, undefined, [pidFile])).use, 'not-installed');
    await uninstallHook(paths, { daemonMayList: false });
    assert.equal(fs.existsSync(path.join(paths.hooksDir)), false, 'the hooks folder it made is gone');
  });
  it('the hook runs a Node.js that root owns (never the installer\'s own) and always talks to qemu:///system', async () => {
    const trust = { storage: [path.join(dir, 'pool')], templateDirs: [path.join(dir, 'templates')] };
    const userNode = path.join(dir, 'user-node');
    fs.writeFileSync(userNode, '#!/bin/sh\n', { mode: 0o755 });
    fs.chownSync(userNode, 4242, 4242);
    const r = await installHook(paths, worker, { ...values, node: userNode, uri: 'qemu:///session' }, trust);
    const text = fs.readFileSync(r.hook, 'utf8');
    assert.ok(!text.includes(userNode), 'the user-owned node is not run');
    assert.doesNotMatch(text, /command -v node/, 'no node looked up on a PATH');
    const node = /^NODE='([^']+)'$/m.exec(text)?.[1];
    assert.ok(node && fs.statSync(node).uid === 0 && (fs.statSync(node).mode & 0o022) === 0, `root's node: ${node}`);
    assert.match(text, /QQ2CLONE_URI='qemu:\/\/\/system'/);
    await assert.rejects(installHook(paths, worker, { ...values, node: userNode }, trust, { nodeCandidates: [] }), /No Node.js that only root can change/);
  });
  it('status proves the worker can run (a dry run as the hook would start it), else says what is wrong', async function () {
    this.timeout(60_000);
    fs.writeFileSync(pidFile, `${process.pid}\n`);
    await installHook(paths, worker, values, { storage: [path.join(dir, 'pool')], templateDirs: [path.join(dir, 'templates')] });
    assert.doesNotMatch((await hookStatus(paths, undefined, [pidFile])).message, /cannot run/);
    fs.writeFileSync(path.join(paths.stateDir, 'hook-worker.js'), "process.stderr.write('the record of trusted folders is missing\\n'); process.exit(1);\n");
    const st = await hookStatus(paths, undefined, [pidFile]);
    assert.equal(st.use, 'broken');
    assert.match(st.message, /its worker cannot run: .*the record of trusted folders is missing/);
  });
});
