/**
 * exec SET CMD (manual: CLONE COMMANDS): runs a command string with bash once per clone, one after another, with
 * the clone's `uuid`, `name` and `disks` (newline-separated overlay paths) in the environment. The values are never
 * spliced into the command text. Stops at the first non-zero exit.
 */
import { CancelledError, ExternalCommandError } from '../../core/errors';

export interface ExecTarget {
  readonly uuid: string;
  readonly name: string;
  /** Read just before the command runs for this clone. */
  readonly disks: () => Promise<readonly string[]>;
}

export interface ExecOptions {
  readonly signal?: AbortSignal;
  /** Called before each run. */
  readonly onStart?: (target: ExecTarget, index: number) => void;
  /** stdio of the commands: inherited by default (the CLI shows their output); 'ignore' discards it. */
  readonly stdio?: 'inherit' | 'ignore';
  /** More environment for every run (e.g. LIBVIRT_DEFAULT_URI, so `virsh console "$uuid"` reaches the same libvirt). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExecFailure {
  readonly target: ExecTarget;
  readonly index: number;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
}

/**
 * Runs `command` for each target in order. Resolves with the first failure (later targets are not run), or
 * undefined when all exited 0. Throws CancelledError when the signal aborts (the running bash is killed), and
 * ExternalCommandError when bash cannot be started.
 */
export async function execEach(
  command: string,
  targets: readonly ExecTarget[],
  options: ExecOptions = {},
): Promise<ExecFailure | undefined> {
  // execa is ESM-only: a dynamic import keeps this module loadable by the CommonJS test runner (mocha + tsx).
  const { execa } = await import('execa');
  for (const [index, target] of targets.entries()) {
    if (options.signal?.aborted) throw new CancelledError();
    const disks = await target.disks();
    options.onStart?.(target, index);
    const r = await execa('bash', ['-c', command], {
      env: { ...options.env, uuid: target.uuid, name: target.name, disks: disks.join('\n') },
      extendEnv: true,
      stdio: options.stdio ?? 'inherit',
      reject: false,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
    if (r.isCanceled) throw new CancelledError();
    if (r.code === 'ENOENT') {
      throw new ExternalCommandError('bash is not installed or not on PATH; exec needs it.', { command: 'bash -c …' });
    }
    if (r.exitCode !== 0) return { target, index, exitCode: r.exitCode, signal: r.signal };
  }
  return undefined;
}
