/**
 * `hook install|status|uninstall`: puts the qemu hook into <hooks>/qemu.d/ and its worker into the state
 * directory, tells whether the running libvirt daemon uses it, and removes it leaving the hooks directory as it was
 * found (directories the install made are removed again when empty). Installing needs root: the error says so.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { asQq2Error, PermissionError, UsageError } from '../../core/errors';
import { op, runOnce } from '../process';
import { HOOK_MARKER, hookScript, type HookScriptValues } from './hookScript';
import { hookFile, type HookPaths } from './paths';
import { recordTrust, TRUST_FILE } from './trustRecord';
import type { PolicyTrust } from './trust';

interface Manifest {
  /** Directories the install created (removed by uninstall when empty), deepest last. */
  readonly created: string[];
  /** The Node.js the hook runs (root's: see rootNode). */
  readonly node?: string;
  /** When the hook file was written (ms since the epoch). */
  readonly installedAt: number;
}

const MANIFEST = 'install.json';

function denied(e: unknown, what: string): never {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    throw new PermissionError(`${what}: ${code}. The hook lives in libvirt's hooks directory, which only root may change: run it as root (sudo qq2clone hook ...).`);
  }
  throw e;
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}

async function isOurs(file: string): Promise<boolean> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n', 3).includes(HOOK_MARKER) || text.includes(`\n${HOOK_MARKER} `);
}

async function readManifest(p: HookPaths): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(p.stateDir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * Where a new hook file is written before it is renamed into qemu.d: beside qemu.d, not in it (same file system,
 * so the rename is atomic). libvirt lists qemu.d and then runs each entry: a temporary file inside it could be
 * listed and be gone (renamed) by the time it is run, failing that domain's start.
 */
function stagedHook(p: HookPaths): string {
  return path.join(p.hooksDir, '.qq2clone-power-off.part');
}

/** Makes `dir` and missing parents; returns those it created, outermost first. */
async function mkdirs(dir: string, mode: number): Promise<string[]> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !(await exists(d)); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) await fs.mkdir(d, { mode });
  return missing;
}

/** Where a Node.js that root owns is usually found, after the one the installer runs. */
export const ROOT_NODE_CANDIDATES = ['/usr/bin/node', '/usr/local/bin/node'];

/** Why `file` (and every folder above it) is not root's alone; undefined when it is. */
async function notRootsAlone(file: string): Promise<string | undefined> {
  for (let p = file; ; p = path.dirname(p)) {
    const st = await fs.stat(p).catch(() => undefined);
    if (!st) return `${p} is missing`;
    if (st.uid !== 0) return `${p} belongs to user ${st.uid}`;
    if ((st.mode & 0o022) !== 0) return `${p} may be changed by others (mode ${(st.mode & 0o7777).toString(8)})`;
    if (p === path.dirname(p)) return undefined;
  }
}

/**
 * The Node.js the hook runs as root: the first of `node` and `candidates` (links resolved) that root owns and only
 * root can change, folders included (so an upgrade by a user, or a user's own node, never runs as root). Throws a
 * UsageError that says what to do when there is none.
 */
export async function rootNode(node: string, candidates: readonly string[] = ROOT_NODE_CANDIDATES): Promise<string> {
  const why: string[] = [];
  for (const c of [node, ...candidates]) {
    const real = await fs.realpath(c).catch(() => undefined);
    if (!real) continue;
    const bad = await notRootsAlone(real);
    if (!bad) return real;
    why.push(bad);
  }
  throw new UsageError(
    `No Node.js that only root can change was found for the hook, which runs as root (${why.join('; ') || 'none found'}). ` +
      `Install the distribution's Node.js (sudo apt-get install nodejs, which gives /usr/bin/node), then run sudo qq2clone hook install again.`,
  );
}

export interface InstallResult {
  readonly hook: string;
  readonly worker: string;
  /** True when it replaced an earlier version of our hook. */
  readonly replaced: boolean;
}

/**
 * Installs (or updates) the hook and its worker. `workerSource` is the bundled worker (dist/hook-worker.js): it is
 * copied, so the hook keeps working when the extension is updated or removed. `trust` (the installing user's
 * storage and template folders) is added to the record of what the worker may touch (trustRecord.ts).
 */
export async function installHook(
  p: HookPaths,
  workerSource: string,
  v: Omit<HookScriptValues, 'stateDir'>,
  trust: PolicyTrust,
  o: { nodeCandidates?: readonly string[] } = {},
): Promise<InstallResult> {
  const file = hookFile(p);
  const node = await rootNode(v.node, o.nodeCandidates);
  const replaced = await exists(file);
  if (replaced && !(await isOurs(file))) throw new UsageError(`${file} exists and is not qq2clone's hook: not overwritten. Move it away first.`);
  if (!(await exists(workerSource))) throw new UsageError(`The hook's worker ${workerSource} is missing: build qq2clone (npm run build) first.`);
  const earlier = await readManifest(p);
  try {
    const createdState = await mkdirs(p.stateDir, 0o755);
    await mkdirs(path.join(p.stateDir, 'queue'), 0o700);
    await recordTrust(p.stateDir, trust);
    const worker = path.join(p.stateDir, 'hook-worker.js');
    await fs.copyFile(workerSource, `${worker}.part`);
    await fs.chmod(`${worker}.part`, 0o644);
    await fs.rename(`${worker}.part`, worker);
    const createdHooks = await mkdirs(path.dirname(file), 0o755);
    const created = earlier ? earlier.created : [...createdState, ...createdHooks];
    const manifest: Manifest = { created, installedAt: Date.now(), node };
    await fs.writeFile(path.join(p.stateDir, MANIFEST), JSON.stringify(manifest));
    await fs.writeFile(stagedHook(p), hookScript({ ...v, node, stateDir: p.stateDir }), { mode: 0o755 });
    await fs.chmod(stagedHook(p), 0o755);
    await fs.rename(stagedHook(p), file);
    return { hook: file, worker, replaced };
  } catch (e) {
    await fs.rm(stagedHook(p), { force: true }).catch(() => undefined);
    return denied(e, `Cannot install the hook into ${path.dirname(file)}`);
  }
}

export interface UninstallResult {
  readonly removed: string[];
  /** The inert placeholder left in the hook's place (a daemon may be listing the folder). */
  readonly placeholder?: string;
}

/**
 * What stays of the hook after an uninstall while a daemon may list qemu.d: libvirt lists the folder, then runs each
 * entry, so a start under way must still find a file to run. This one does nothing (and carries our marker).
 */
export const HOOK_PLACEHOLDER = `#!/bin/sh
${HOOK_MARKER} (uninstalled: does nothing; left so that a domain starting during the uninstall does not fail;
# the next hook install replaces it, hook uninstall while no libvirt daemon runs removes it).
exit 0
`;

export interface UninstallOptions {
  /**
   * True when a libvirt daemon may be listing this hooks folder (default: it is /etc/libvirt/hooks and a daemon
   * runs): the hook is then replaced by the placeholder in one rename, never removed.
   */
  readonly daemonMayList?: boolean;
}

/**
 * Removes our hook, its worker, note, queue and trust record, and the hook directories the install made (when
 * empty). Keeps the action log. While a daemon may list the hooks folder the hook is atomically replaced by an
 * inert placeholder instead (a start under way at that moment runs it and goes on).
 */
export async function uninstallHook(p: HookPaths, o: UninstallOptions = {}): Promise<UninstallResult> {
  const file = hookFile(p);
  const removed: string[] = [];
  const manifest = await readManifest(p);
  let placeholder = false;
  try {
    if (await exists(file)) {
      if (!(await isOurs(file))) throw new UsageError(`${file} is not qq2clone's hook: left alone.`);
      const mayList = o.daemonMayList ?? (path.resolve(p.hooksDir) === '/etc/libvirt/hooks' && (await runningDaemon()) !== undefined);
      placeholder = mayList;
      if (mayList) {
        await fs.writeFile(stagedHook(p), HOOK_PLACEHOLDER, { mode: 0o755 });
        await fs.chmod(stagedHook(p), 0o755);
        await fs.rename(stagedHook(p), file);
      } else {
        await fs.rm(file);
      }
      removed.push(file);
    }
    // The manifest stays with a placeholder: a later uninstall removes the folders the install made.
    for (const f of ['hook-worker.js', 'hook-note', ...(placeholder ? [] : [MANIFEST]), TRUST_FILE]) {
      const full = path.join(p.stateDir, f);
      if (await exists(full)) {
        await fs.rm(full);
        removed.push(full);
      }
    }
    // Runtime state of the worker: its queue. Nothing else of the state folder is the hook's (locks live under
    // /run/lock, see process/locks.ts; a home that shares the folder keeps its files). The action log stays.
    await fs.rm(path.join(p.stateDir, 'queue'), { recursive: true, force: true });
    for (const d of [...(manifest?.created ?? [])].reverse()) {
      const empty = (await fs.readdir(d).catch(() => ['?'])).length === 0;
      if (empty) {
        await fs.rmdir(d);
        removed.push(d);
      }
    }
  } catch (e) {
    return denied(e, `Cannot remove the hook from ${path.dirname(file)}`);
  }
  return { removed, ...(placeholder ? { placeholder: file } : {}) };
}

export interface DaemonInfo {
  readonly pid: number;
  /** Start time, ms since the epoch. */
  readonly startedAt: number;
  readonly pidFile: string;
}

/** Pid files of the daemons that run qemu hooks (monolithic libvirtd, or modular virtqemud). */
export const DAEMON_PID_FILES = ['/run/libvirtd.pid', '/run/virtqemud.pid'];

/** The running daemon's pid and start time, from its pid file and /proc (undefined when none runs). */
export async function runningDaemon(pidFiles: readonly string[] = DAEMON_PID_FILES): Promise<DaemonInfo | undefined> {
  for (const pidFile of pidFiles) {
    const pid = Number((await fs.readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const st = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    const uptime = Number((await fs.readFile('/proc/uptime', 'utf8').catch(() => '')).split(' ')[0]);
    if (!st || !Number.isFinite(uptime)) continue;
    // Field 22 (starttime, clock ticks of 1/100 s since boot) counts from after the ")" that ends the command name;
    // against /proc/uptime (also since boot, 1/100 s) rather than btime, which is whole seconds.
    const ticks = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[19]);
    if (!Number.isFinite(ticks)) continue;
    return { pid, startedAt: Date.now() - (uptime * 1000 - ticks * 10), pidFile };
  }
  return undefined;
}

export type HookUse = 'in-use' | 'will-be-used' | 'restart-needed' | 'no-daemon' | 'not-installed' | 'broken';

/** What the worker prints when its dry run finds that it can work. */
export const WORKER_OK = 'qq2clone hook worker: ok';

/** Runs the installed worker's dry run as the hook would start it; undefined when it can work, else why not. */
async function workerProblem(node: string, worker: string, stateDir: string): Promise<string | undefined> {
  try {
    const out = await runOnce(op(node, [worker, '--check', stateDir]));
    return out.includes(WORKER_OK) ? undefined : `its dry run printed ${JSON.stringify(out.trim().slice(0, 200))}`;
  } catch (e) {
    const f = (e as { failure?: { stderr?: string } }).failure;
    return f?.stderr?.trim().split('\n').pop() || asQq2Error(e).message;
  }
}

export interface HookStatus {
  readonly installed: boolean;
  readonly hook: string;
  /** The installed script differs from what this version would install (install again to update). */
  readonly outdated: boolean;
  readonly use: HookUse;
  readonly daemon?: DaemonInfo;
  /** When the hook last ran, and under which daemon pid (its note). */
  readonly lastRun?: { readonly at: number; readonly daemonPid: number };
  /** What to say to the user. */
  readonly message: string;
}

/**
 * Whether the hook is installed and whether the running daemon uses it: it does when the hook's note names the
 * daemon's pid (the hook ran under it), or when the daemon started after the hook was installed; otherwise libvirt
 * must be restarted (a daemon only uses hooks present when it started).
 */
export async function hookStatus(p: HookPaths, expected?: HookScriptValues, pidFiles?: readonly string[]): Promise<HookStatus> {
  const file = hookFile(p);
  const st = await fs.stat(file).catch(() => undefined);
  const ours = !!st && (await isOurs(file));
  const workerOk = await exists(path.join(p.stateDir, 'hook-worker.js'));
  const installed = ours && workerOk && ((st?.mode ?? 0) & 0o111) !== 0;
  const daemon = await runningDaemon(pidFiles);
  const noteSt = await fs.stat(path.join(p.stateDir, 'hook-note')).catch(() => undefined);
  const notePid = Number((await fs.readFile(path.join(p.stateDir, 'hook-note'), 'utf8').catch(() => '')).trim());
  const lastRun = noteSt && Number.isInteger(notePid) && notePid > 0 ? { at: noteSt.mtimeMs, daemonPid: notePid } : undefined;
  const text0 = ours ? await fs.readFile(file, 'utf8').catch(() => '') : '';
  const text = installed ? text0 : '';
  const manifest = await readManifest(p);
  const outdated = installed && !!expected && text !== hookScript({ ...expected, node: manifest?.node ?? expected.node });
  const installedAt = manifest?.installedAt ?? st?.mtimeMs ?? 0;
  const broken = installed ? await workerProblem(manifest?.node ?? process.execPath, path.join(p.stateDir, 'hook-worker.js'), p.stateDir) : undefined;
  let use: HookUse;
  if (!installed) use = 'not-installed';
  else if (broken) use = 'broken';
  else if (!daemon) use = 'no-daemon';
  else if (lastRun && lastRun.daemonPid === daemon.pid && lastRun.at >= installedAt) use = 'in-use';
  else if (daemon.startedAt > installedAt) use = 'will-be-used';
  else use = 'restart-needed';
  const message = {
    'not-installed': ours && text0 === HOOK_PLACEHOLDER
      ? `The hook is not installed: power-off policies only apply while VS Code (the qq2clone extension) runs. An inert placeholder stays at ${file} (so that no domain start failed during the uninstall); sudo qq2clone hook uninstall while no libvirt daemon runs removes it.`
      : ours && !workerOk
      ? `The hook ${file} is there but its worker is missing: run qq2clone hook install again.`
      : `The hook is not installed: power-off policies only apply while VS Code (the qq2clone extension) runs. Install it with: sudo qq2clone hook install`,
    broken: `The hook is installed (${file}) but its worker cannot run: ${broken}. Fix that, or run sudo qq2clone hook install again.`,
    'no-daemon': `The hook is installed (${file}); no libvirt daemon runs now: the next one started uses it.`,
    'in-use': `The hook is installed (${file}) and the running libvirt daemon (pid ${daemon?.pid}) uses it: it last ran ${new Date(lastRun?.at ?? 0).toISOString()}.`,
    'will-be-used': `The hook is installed (${file}) and the running libvirt daemon (pid ${daemon?.pid}) started after it, so it uses it.`,
    'restart-needed': `The hook is installed (${file}) but the running libvirt daemon (pid ${daemon?.pid}) started before it and does not use it: restart libvirt (sudo systemctl restart libvirtd) when no guest start or stop is under way.`,
  }[use];
  return { installed, hook: file, outdated, use, ...(daemon ? { daemon } : {}), ...(lastRun ? { lastRun } : {}), message };
}
