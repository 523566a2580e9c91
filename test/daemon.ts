/**
 * The libvirt daemon that serves qemu:///system, for the tests that stop it for a moment (the libvirt tier's and the
 * extension host's restart tests). It is libvirtd where libvirt runs as one daemon, virtqemud where it runs as
 * modular daemons; started again by systemd when systemd runs it, else by running it with -d. planRestart says
 * which, or plainly why the restart tests cannot run here (their title carries that reason when they are skipped).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export type DaemonName = 'libvirtd' | 'virtqemud';

/** What is known about this machine, gathered by daemonFacts (or written out by a unit test). */
export interface DaemonFacts {
  /** QQ2CLONE_TEST_RESTART_DAEMON=1: nothing else uses the daemon (npm test runs the tiers one after another). */
  readonly allowed: boolean;
  readonly root: boolean;
  readonly uri: string;
  /** Running daemons and their pids. */
  readonly pids: Partial<Record<DaemonName, number>>;
  /** Daemons whose systemd unit is active (systemd starts those). */
  readonly systemd: readonly DaemonName[];
}

export type RestartPlan =
  | { readonly daemon: DaemonName; readonly pid: number; readonly start: readonly string[] }
  | { readonly skip: string };

/** Which daemon to stop and how to start it again, or why the restart tests do not run here. */
export function planRestart(f: DaemonFacts): RestartPlan {
  if (!f.allowed)
    return {
      skip:
        'it stops the libvirt daemon for a moment, which disturbs anything else using it; set QQ2CLONE_TEST_RESTART_DAEMON=1 where nothing else does (npm test does)',
    };
  if (!/^qemu(\+unix)?:\/\/\/system$/.test(f.uri)) return { skip: `the test URI ${f.uri} is not the local system daemon` };
  if (!f.root) return { skip: 'stopping and starting the libvirt daemon needs root' };
  // In modular mode the QEMU driver (domains, their events) lives in virtqemud; a libvirtd beside it serves no domains.
  const daemon: DaemonName | undefined = f.pids.virtqemud ? 'virtqemud' : f.pids.libvirtd ? 'libvirtd' : undefined;
  if (!daemon) return { skip: 'neither libvirtd nor virtqemud is running' };
  const start = f.systemd.includes(daemon) ? ['systemctl', 'start', daemon] : [daemon, '-d'];
  return { daemon, pid: f.pids[daemon]!, start };
}

/** Of the processes named like a daemon, the system daemon: root's (a user's session daemon has the same name). */
export function systemDaemonPid(candidates: readonly { pid: number; uid: number | undefined }[]): number | undefined {
  return candidates.find((c) => c.uid === 0)?.pid;
}

/** The owner of a running process, or undefined when it is gone. */
function ownerOf(pid: number): number | undefined {
  try {
    return fs.statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

/**
 * The pid of the running system daemon: its pid file, else pidof; only root's process counts, as a session daemon
 * of another user (the second host's, which virt-ssh-helper starts) is also called libvirtd.
 */
export function daemonPid(name: DaemonName): number | undefined {
  const candidates: { pid: number; uid: number | undefined }[] = [];
  for (const file of [`/run/${name}.pid`, `/var/run/${name}.pid`]) {
    const pid = Number(fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : NaN);
    if (pid > 0) candidates.push({ pid, uid: ownerOf(pid) });
  }
  const r = spawnSync('pidof', [name], { encoding: 'utf8' });
  for (const p of (r.stdout ?? '').trim().split(/\s+/).map(Number)) if (p > 0) candidates.push({ pid: p, uid: ownerOf(p) });
  return systemDaemonPid(candidates);
}

function systemdActive(name: DaemonName): boolean {
  if (!fs.existsSync('/run/systemd/system')) return false;
  return spawnSync('systemctl', ['is-active', '--quiet', `${name}.service`]).status === 0;
}

/** This machine's facts. */
export function daemonFacts(uri: string, env: NodeJS.ProcessEnv = process.env): DaemonFacts {
  const names: DaemonName[] = ['libvirtd', 'virtqemud'];
  const pids: Partial<Record<DaemonName, number>> = {};
  for (const n of names) {
    const pid = daemonPid(n);
    if (pid) pids[n] = pid;
  }
  return {
    allowed: env.QQ2CLONE_TEST_RESTART_DAEMON === '1',
    root: process.getuid?.() === 0,
    uri,
    pids,
    systemd: names.filter((n) => pids[n] && systemdActive(n)),
  };
}

/** Starts the planned daemon (once the stopped one is gone) unless it, or systemd's restart of it, already runs. */
export function ensureStarted(plan: RestartPlan): void {
  if ('skip' in plan) return;
  for (let waited = 0; daemonPid(plan.daemon) === plan.pid && waited < 10_000; waited += 100)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  if (daemonPid(plan.daemon) !== undefined) return;
  execFileSync(plan.start[0]!, plan.start.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The title of a restart test: where it cannot run, it says why. */
export function restartTitle(title: string, plan: RestartPlan): string {
  return 'skip' in plan ? `${title} (skipped: ${plan.skip})` : `${title} (${plan.daemon})`;
}
