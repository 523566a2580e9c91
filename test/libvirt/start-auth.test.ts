/**
 * `npm start`'s code-server asks for a password: the real start (scripts/start.ts, as scripts/start.sh runs it once
 * the build is done) with its home, config and qq2clone home in a scratch directory. An unauthenticated request is
 * sent to the login page; the password from the file (mode 0600, printed with the URL) logs in.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, freePort } from '../../scripts/codeServer';
import { DEMO_MARKER } from '../../scripts/demo';
import { ensurePassword, passwordFile, startAuth } from '../../scripts/startAuth';

const ENTRY = path.join(REPO, 'scripts/start.ts');

describe('npm start: code-server with a password', function () {
  this.timeout(300_000);
  let root: string;
  let proc: ChildProcess | undefined;
  // start.ts installs the packaged extension: build and package it first, as scripts/start.sh does.
  before(() => {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir() === '/tmp' ? '/var/tmp' : os.tmpdir(), 'qqt-start-'));
  });
  afterEach(async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM'); // start.ts stops code-server's process group, then exits
      await gone;
    }
    proc = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses a request without the password, accepts the password kept in a 0600 file and printed with the URL', async () => {
    const env = { HOME: path.join(root, 'home'), XDG_CONFIG_HOME: path.join(root, 'config'), QQ2CLONE_HOME: path.join(root, 'qq2clone') };
    for (const d of Object.values(env)) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(env.QQ2CLONE_HOME, DEMO_MARKER), 'no demo in this test\n');
    const port = await freePort();
    proc = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      cwd: REPO,
      env: { ...process.env, ...env, QQ2CLONE_PORT: String(port), QQ2CLONE_FOLDER: root, QQ2CLONE_START_AUTH: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const origin = `http://127.0.0.1:${port}`;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (out.includes('Ctrl-C stops it')) resolve();
        else if (proc!.exitCode !== null) reject(new Error(`start exited ${proc!.exitCode}:\n${out}`));
        else setTimeout(check, 200);
      };
      check();
    });
    assert.ok(out.includes(`${origin}/?folder=`), out);

    const anonymous = await fetch(`${origin}/?folder=${encodeURIComponent(root)}`, { redirect: 'manual' });
    assert.ok([302, 401].includes(anonymous.status), `unauthenticated: HTTP ${anonymous.status}`);
    if (anonymous.status === 302) assert.match(anonymous.headers.get('location') ?? '', /login/);

    const file = passwordFile(env);
    assert.equal(file, path.join(env.XDG_CONFIG_HOME, 'qq2clone', 'code-server-password'));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'only the user can read the password file');
    const password = fs.readFileSync(file, 'utf8').trim();
    assert.ok(password.length >= 24, 'a long random password');
    assert.ok(out.includes(password) && out.includes(file), `the password and its file are printed with the URL:\n${out}`);

    const login = (pw: string) =>
      fetch(`${origin}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ password: pw }).toString() });
    const wrong = await login('not-the-password');
    assert.equal(wrong.headers.getSetCookie().some((c) => c.startsWith('code-server-session=')), false, 'a wrong password gets no session');
    const right = await login(password);
    const session = right.headers.getSetCookie().find((c) => c.startsWith('code-server-session='));
    assert.ok(session, `the password logs in (HTTP ${right.status})`);
    const page = await fetch(`${origin}/?folder=${encodeURIComponent(root)}`, { redirect: 'manual', headers: { cookie: session.split(';')[0]! } });
    assert.equal(page.status, 200, 'the workbench, once logged in');
  });

  it('reuses the password, refuses a password file others can read, and QQ2CLONE_START_AUTH=none opts out', () => {
    const env = { HOME: path.join(root, 'home'), XDG_CONFIG_HOME: '' };
    const first = startAuth(env);
    const file = path.join(root, 'home/.config/qq2clone/code-server-password');
    assert.equal(first.file, file);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.deepEqual(startAuth(env).auth, first.auth, 'the next start uses the same password');
    fs.chmodSync(file, 0o644);
    assert.throws(() => ensurePassword(file), /others may read or change it \(mode 644\).*chmod 600/);
    const none = startAuth({ ...env, QQ2CLONE_START_AUTH: 'none' });
    assert.equal(none.auth, 'none');
    assert.match(none.note, /no password/);
    assert.throws(() => startAuth({ ...env, QQ2CLONE_START_AUTH: 'nope' }), /use "password" \(the default\) or "none"/);
  });
});
