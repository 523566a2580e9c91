/**
 * Talking to a running test guest without its network: readiness and commands through qemu-guest-agent
 * (virsh qemu-agent-command), and an SSH forward from 127.0.0.1 added through the QEMU monitor. Works for any domain
 * booted from guestDomainXml, including clones the product made of such a template (nothing here depends on a
 * per-domain file path).
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { GuestImage } from './image';
import { HOST_KEY_ALIAS } from './recipe';
import { freeLoopbackPort } from '../../src/libvirt/guests';

const URI = process.env.QQ2CLONE_TEST_URI ?? 'qemu:///system';
const execFileP = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function virsh(...args: string[]): Promise<string> {
  const { stdout } = await execFileP('virsh', ['-q', '-c', URI, ...args], { encoding: 'utf8' });
  return stdout;
}

/** One agent command; its "return" member. */
async function agent<T>(domain: string, execute: string, args?: object, timeoutS = 10): Promise<T> {
  const cmd = JSON.stringify(args ? { execute, arguments: args } : { execute });
  const out = await virsh('qemu-agent-command', '--timeout', String(timeoutS), domain, cmd);
  return (JSON.parse(out) as { return: T }).return;
}

/**
 * Resolves when the guest is ready: its agent answers guest-ping (the agent starts after the guest printed its
 * ready marker, with dropbear and acpid running). Rejects when the domain stops or after `timeoutMs` (default 300 s:
 * boots took 5 s under TCG on 2 cores at load 5, and over 100 s on an overloaded machine).
 */
export async function waitForGuest(domain: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      await agent(domain, 'guest-ping', undefined, 2);
      return;
    } catch (e) {
      last = String((e as { stderr?: string }).stderr ?? e).trim();
    }
    const state = (await virsh('domstate', '--reason', domain).catch(() => '')).trim();
    if (state && !state.startsWith('running')) throw new Error(`guest ${domain} is ${state}, not booting`);
    await sleep(300);
  }
  throw new Error(`guest ${domain} not ready after ${timeoutMs} ms (agent: ${last})`);
}

export interface GuestExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

interface ExecStatus {
  exited: boolean;
  exitcode?: number;
  signal?: number;
  'out-data'?: string;
  'err-data'?: string;
}

/**
 * Runs argv in the guest through the agent (guest-exec, PATH searched), feeding `input` on stdin; resolves with
 * its exit code (128+signal when killed) and output. Rejects after `timeoutMs` (default 60 s).
 */
export async function guestExec(domain: string, argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<GuestExecResult> {
  const args: Record<string, unknown> = { path: argv[0], arg: argv.slice(1), 'capture-output': true };
  if (opts.input !== undefined) args['input-data'] = Buffer.from(opts.input).toString('base64');
  const { pid } = await agent<{ pid: number }>(domain, 'guest-exec', args);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (let wait = 50; Date.now() < deadline; wait = Math.min(wait * 2, 500)) {
    const s = await agent<ExecStatus>(domain, 'guest-exec-status', { pid });
    if (s.exited) {
      const text = (b64?: string): string => Buffer.from(b64 ?? '', 'base64').toString('utf8');
      return { exitCode: s.exitcode ?? 128 + (s.signal ?? 0), stdout: text(s['out-data']), stderr: text(s['err-data']) };
    }
    await sleep(wait);
  }
  throw new Error(`guest ${domain}: ${argv.join(' ')} still running after ${opts.timeoutMs ?? 60_000} ms`);
}

/**
 * Forwards a free port of 127.0.0.1 to the guest's port 22 (QEMU monitor hostfwd_add on its user-mode NIC) and
 * returns it. The forward lives as long as this QEMU process: after a restart of the domain, call again.
 */
export async function forwardSsh(domain: string): Promise<number> {
  const info = await virsh('qemu-monitor-command', domain, '--hmp', 'info network');
  const netdev = /^\s*\\\s*([\w.-]+):\s*index=\d+,type=user/m.exec(info)?.[1];
  if (!netdev) throw new Error(`guest ${domain} has no user-mode NIC:\n${info}`);
  let why = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeLoopbackPort();
    why = (await virsh('qemu-monitor-command', domain, '--hmp', `hostfwd_add ${netdev} tcp:127.0.0.1:${port}-:22`)).trim();
    if (!why) return port;
  }
  throw new Error(`guest ${domain}: hostfwd_add failed: ${why}`);
}

/** ssh arguments (before the remote command) for root in the guest through a port from forwardSsh. */
export function sshArgs(image: GuestImage, port: number): string[] {
  return [
    '-i', image.clientKey, '-p', String(port),
    '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=20',
    '-o', 'StrictHostKeyChecking=yes', '-o', `HostKeyAlias=${HOST_KEY_ALIAS}`,
    '-o', `UserKnownHostsFile=${path.join(image.dir, 'known_hosts')}`,
    'root@127.0.0.1',
  ];
}
