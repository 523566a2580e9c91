/**
 * The QEMU guest agent through `virsh qemu-agent-command` (no network needed): commands are data (JSON built
 * here), answers are parsed by pure functions. guest-exec starts a process in the guest; guest-exec-status is
 * polled until it has exited (qemu-ga hands out the captured output only then).
 */
import { CancelledError, LibvirtError } from '../../core/errors';

/** How long virsh waits for the agent's answer to one command, in seconds. */
export const AGENT_TIMEOUT_S = 10;

/**
 * The virsh arguments of one agent command. JSON.stringify escapes C0 control characters but leaves DEL as itself,
 * which a session line may not carry (see virsh/quote.ts): it is written \u007f, which the agent reads as DEL.
 */
export function agentCommandArgs(uuid: string, execute: string, args?: Record<string, unknown>, timeoutS = AGENT_TIMEOUT_S): string[] {
  const json = JSON.stringify(args === undefined ? { execute } : { execute, arguments: args }).replace(/\x7f/g, '\\u007f');
  return ['qemu-agent-command', uuid, json, '--timeout', String(timeoutS)];
}

/** How long a command in the guest may run unless told otherwise (guestExecArgv's timeoutMs). */
export const GUEST_EXEC_TIMEOUT_MS = 10 * 60_000;

/** A command in the guest did not finish (or its agent did not answer) in time; it was ended. */
export class GuestExecTimeoutError extends LibvirtError {
  constructor(readonly timeoutMs: number) {
    super(
      `The command in the guest did not finish within ${Math.round(timeoutMs / 1000)} s: it was ended. ` +
        'If it needs longer, run it in the background in the guest; if the guest agent hangs, restart qemu-guest-agent in the guest (or reboot it).',
    );
  }
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
 * interval up to 1 s) and returns its status with the captured output. The wait ends after `timeoutMs`
 * (GuestExecTimeoutError) or on cancel (CancelledError), also while an agent command hangs; either way the guest
 * process is sent SIGKILL through the agent, as far as it still answers.
 */
export async function guestExecArgv(
  virsh: VirshCall,
  uuid: string,
  argv: readonly string[],
  signal?: AbortSignal,
  timeoutMs = GUEST_EXEC_TIMEOUT_MS,
): Promise<GuestExecStatus> {
  const [path, ...arg] = argv;
  if (!path) throw new LibvirtError('guest-exec needs a program to run.');
  const late = AbortSignal.timeout(timeoutMs);
  const until = signal ? AbortSignal.any([signal, late]) : late;
  let pid: number | undefined;
  try {
    pid = parseExecPid(await virsh(agentCommandArgs(uuid, 'guest-exec', { path, arg, 'capture-output': true }), until));
    let wait = 50;
    for (;;) {
      const st = parseExecStatus(await virsh(agentCommandArgs(uuid, 'guest-exec-status', { pid }), until));
      if (st.exited) return st;
      await sleep(wait, until);
      wait = Math.min(wait * 2, 1000);
    }
  } catch (e) {
    if (!until.aborted) throw e;
    if (pid !== undefined) await endGuestProcess(virsh, uuid, pid);
    if (signal?.aborted) throw new CancelledError();
    throw new GuestExecTimeoutError(timeoutMs);
  }
}

/** Sends SIGKILL to a guest process through the agent; best effort (the agent may be what hangs). */
async function endGuestProcess(virsh: VirshCall, uuid: string, pid: number): Promise<void> {
  const bounded = AbortSignal.timeout(5000);
  await virsh(agentCommandArgs(uuid, 'guest-exec', { path: '/bin/kill', arg: ['-KILL', String(pid)] }, 3), bounded).catch(() => undefined);
}

/** Runs a command string with /bin/sh -c in the guest (see guestExecArgv). */
export function guestShell(virsh: VirshCall, uuid: string, command: string, signal?: AbortSignal, timeoutMs?: number): Promise<GuestExecStatus> {
  return guestExecArgv(virsh, uuid, ['/bin/sh', '-c', command], signal, timeoutMs);
}
