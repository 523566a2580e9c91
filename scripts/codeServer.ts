/**
 * code-server (VS Code 1.139 from the npm registry), the VS Code of `npm start` and of the extension-host tests:
 * installed by scripts/setup-code-server.sh into .cs/, started on 127.0.0.1 in its own process group with XDG_* and
 * TMPDIR inside a run directory, and killed as a group. `npm start` gives it a password (start.ts); the tests'
 * private runs may go without one (see startCodeServer).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..');

/** The packaged extension (`npm run package`). */
export const VSIX = path.join(REPO, 'dist/qq2clone.vsix');

export interface CodeServerInstall {
  /** Node 24, which code-server needs. */
  readonly node: string;
  /** code-server's entry script (run with `node`). */
  readonly entry: string;
}

/** Runs the setup script (fast when already installed) and returns where code-server and its Node are. */
export function ensureCodeServer(): CodeServerInstall {
  const out = execFileSync('bash', [path.join(REPO, 'scripts/setup-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bin = out.trim().split('\n').pop() ?? '';
  const prefix = path.dirname(path.dirname(bin));
  const node = fs.readFileSync(path.join(prefix, '.node'), 'utf8').trim();
  return { node, entry: fs.realpathSync(bin) };
}

/** A run directory: home, XDG dirs, temp, user data, extensions and a workspace folder. */
export interface RunDirs {
  readonly root: string;
  readonly home: string;
  readonly userData: string;
  readonly extensions: string;
  readonly workspace: string;
}

/**
 * Makes the run directory `root`, emptied first unless `keep` (npm start keeps code-server's user data, so that what
 * a user set and the extension's first-start note survive a restart; its temp directory is emptied all the same).
 */
export function makeRunDirs(root: string, keep = false): RunDirs {
  fs.rmSync(keep ? path.join(root, 'tmp') : root, { recursive: true, force: true });
  const d = {
    root,
    home: path.join(root, 'home'),
    userData: path.join(root, 'ud'),
    extensions: path.join(root, 'ext'),
    workspace: path.join(root, 'ws'),
  };
  for (const p of [d.home, d.userData, d.extensions, d.workspace, path.join(root, 'tmp')]) fs.mkdirSync(p, { recursive: true });
  return d;
}

/** The environment code-server and its extension host see: everything it writes stays inside the run directory. */
export function codeServerEnv(install: CodeServerInstall, dirs: RunDirs, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.dirname(install.node)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: dirs.home,
    npm_config_nodedir: path.dirname(path.dirname(install.node)),
    XDG_CONFIG_HOME: path.join(dirs.root, 'xdg/config'),
    XDG_DATA_HOME: path.join(dirs.root, 'xdg/data'),
    XDG_CACHE_HOME: path.join(dirs.root, 'xdg/cache'),
    XDG_STATE_HOME: path.join(dirs.root, 'xdg/state'),
    XDG_RUNTIME_DIR: path.join(dirs.root, 'tmp'),
    TMPDIR: path.join(dirs.root, 'tmp'),
    ...extra,
  };
}

function dirFlags(dirs: RunDirs): string[] {
  return ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** Runs code-server's command line (e.g. --install-extension, --list-extensions) against the run's directories. */
export function codeServerCli(install: CodeServerInstall, dirs: RunDirs, args: string[]): string {
  return execFileSync(install.node, [install.entry, ...dirFlags(dirs), ...args], {
    encoding: 'utf8',
    env: codeServerEnv(install, dirs),
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningCodeServer {
  readonly port: number;
  readonly origin: string;
  readonly proc: ChildProcess;
  /** Everything the server printed (for failure reports). */
  output(): string;
  /** Kills the whole process group (server, extension hosts, their children). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Who may use the workbench: whoever knows `password` (code-server's login page), or, with 'none', anyone who can
 * reach the port (any local account, any web page the user visits that reaches 127.0.0.1).
 */
export type CodeServerAuth = { readonly password: string } | 'none';

/**
 * Starts code-server on 127.0.0.1 and waits until it answers /healthz. The password goes to code-server through its
 * environment (PASSWORD), never its command line, which every local account can read.
 */
export async function startCodeServer(
  install: CodeServerInstall,
  dirs: RunDirs,
  opts: { auth: CodeServerAuth; env?: NodeJS.ProcessEnv; port?: number; testDriver?: boolean },
): Promise<RunningCodeServer> {
  const port = opts.port ?? (await freePort());
  const password = opts.auth === 'none' ? undefined : opts.auth.password;
  const args = [
    install.entry,
    '--auth', password === undefined ? 'none' : 'password',
    '--bind-addr', `127.0.0.1:${port}`,
    ...dirFlags(dirs),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // Without it the workbench silently ignores the test payload.
    ...(opts.testDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
  ];
  const env = codeServerEnv(install, dirs, { ...opts.env, ...(password === undefined ? {} : { PASSWORD: password }) });
  if (password === undefined) delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  const proc = spawn(install.node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const origin = `http://127.0.0.1:${port}`;
  let stopped = false;
  const kill = (sig: NodeJS.Signals): void => {
    try {
      if (proc.pid) process.kill(-proc.pid, sig);
    } catch {
      // already gone
    }
  };
  const onExit = (): void => kill('SIGKILL');
  process.on('exit', onExit);
  const server: RunningCodeServer = {
    port,
    origin,
    proc,
    output: () => log,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', onExit);
      kill('SIGTERM');
      const gone = new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', () => r())));
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      kill('SIGKILL');
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}:\n${log}`);
    try {
      const r = await fetch(`${origin}/healthz`);
      if (r.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer on ${origin} within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The workbench URL that opens `folder`, optionally with a test payload (extension development and tests paths). */
export function workbenchUrl(server: RunningCodeServer, folder: string, payload?: [string, string][]): string {
  const q = new URLSearchParams({ folder });
  if (payload) q.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${q.toString()}`;
}

/** A path on the server as the workbench names it (the extension host runs on the server). */
export function remoteUri(server: RunningCodeServer, absPath: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${absPath}`;
}
