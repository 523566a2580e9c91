/**
 * The QEMU guest agent through `virsh qemu-agent-command` (no network needed): commands are data (JSON built
 * here), answers are parsed by pure functions. guest-exec starts a process in the guest; guest-exec-status is
 * polled until it has exited (qemu-ga hands out the captured output only then).
 */
import { CancelledError, LibvirtError } from '../../core/errors';

/** How long virsh waits for the agent's answer to one command, in seconds. */
export const AGENT_TIMEOUT_S = 10;

/** The virsh arguments of one agent command. */
export function agentCommandArgs(uuid: string, execute: string, args?: Record<string, unknown>, timeoutS = AGENT_TIMEOUT_S): string[] {
  const json = JSON.stringify(args === undefined ? { execute } : { execute, arguments: args });
  return ['qemu-agent-command', uuid, json, '--timeout', String(timeoutS)];
}

/** The `return` member of an agent answer; LibvirtError when the answer is not one. */
export function parseAgentReturn(stdout: string): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new LibvirtError(`The guest agent's answer is not JSON: ${stdout.trim().slice(0, 200)}`);
  }
  if (typeof doc !== 'object' || doc === null || !('return' in doc)) {
    const err = (doc as { error?: { desc?: string } } | null)?.error?.desc;
    throw new LibvirtError(err ? `The guest agent refused: ${err}` : `Unexpected guest agent answer: ${stdout.trim().slice(0, 200)}`);
  }
  return (doc as { return: unknown }).return;
}

/** guest-exec's answer: the guest process id. */
export function parseExecPid(stdout: string): number {
  const r = parseAgentReturn(stdout) as { pid?: unknown };
  if (typeof r?.pid !== 'number') throw new LibvirtError(`guest-exec answered without a pid: ${stdout.trim()}`);
  return r.pid;
}

/** A guest process as guest-exec-status reports it. */
export interface GuestExecStatus {
  readonly exited: boolean;
  /** Set when it exited normally. */
  readonly exitCode?: number;
  /** Set when a signal ended it. */
  readonly signal?: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The agent's capture limit was reached. */
  readonly truncated: boolean;
}

const b64 = (s: unknown): string => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : '');

/** guest-exec-status's answer. */
export function parseExecStatus(stdout: string): GuestExecStatus {
  const r = parseAgentReturn(stdout) as Record<string, unknown>;
  if (typeof r?.exited !== 'boolean') throw new LibvirtError(`guest-exec-status answered without 'exited': ${stdout.trim()}`);
  return {
    exited: r.exited,
    ...(typeof r.exitcode === 'number' ? { exitCode: r.exitcode } : {}),
    ...(typeof r.signal === 'number' ? { signal: r.signal } : {}),
    stdout: b64(r['out-data']),
    stderr: b64(r['err-data']),
    truncated: r['out-truncated'] === true || r['err-truncated'] === true,
  };
}

/** The one virsh call this module needs: a command and its stdout. */
export type VirshCall = (args: readonly string[], signal?: AbortSignal) => Promise<string>;

/** Does the guest agent answer (guest-ping within `timeoutS`)? */
export async function agentAnswers(virsh: VirshCall, uuid: string, signal?: AbortSignal, timeoutS = 3): Promise<boolean> {
  try {
    parseAgentReturn(await virsh(agentCommandArgs(uuid, 'guest-ping', undefined, timeoutS), signal));
    return true;
  } catch (e) {
    if (e instanceof CancelledError) throw e;
    return false;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const t = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(t);
      reject(new CancelledError());
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * Runs `argv` (argv[0] a path in the guest) through the agent, waits for it to exit (polling with a growing
 * interval up to 1 s) and returns its status with the captured output. On cancel the guest process is left to
 * finish on its own (the agent has no kill); CancelledError is thrown.
 */
export async function guestExecArgv(virsh: VirshCall, uuid: string, argv: readonly string[], signal?: AbortSignal): Promise<GuestExecStatus> {
  const [path, ...arg] = argv;
  if (!path) throw new LibvirtError('guest-exec needs a program to run.');
  const pid = parseExecPid(await virsh(agentCommandArgs(uuid, 'guest-exec', { path, arg, 'capture-output': true }), signal));
  let wait = 50;
  for (;;) {
    const st = parseExecStatus(await virsh(agentCommandArgs(uuid, 'guest-exec-status', { pid }), signal));
    if (st.exited) return st;
    await sleep(wait, signal);
    wait = Math.min(wait * 2, 1000);
  }
}

/** Runs a command string with /bin/sh -c in the guest (see guestExecArgv). */
export function guestShell(virsh: VirshCall, uuid: string, command: string, signal?: AbortSignal): Promise<GuestExecStatus> {
  return guestExecArgv(virsh, uuid, ['/bin/sh', '-c', command], signal);
}
