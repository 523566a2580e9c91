/**
 * The process runner: every libvirt tool the product starts goes through here. Operations are data
 * ({command, args, parse}); arguments are arrays, never shell strings; the AbortSignal reaches the process;
 * failures become typed errors (see failures.ts).
 */
import { CancelledError } from '../../core/errors';
import { loadExeca } from './execa';
import { mapFailure } from './failures';
import { noteCallDuration } from './slowCalls';

/** One process to run and how to read its output. */
export interface Operation<T> {
  readonly command: string;
  readonly args: readonly string[];
  readonly parse: (stdout: string) => T;
  /** Bytes written to the process's stdin. */
  readonly input?: string;
}

/** An operation that returns its stdout unchanged. */
export function op(command: string, args: readonly string[]): Operation<string> {
  return { command, args, parse: (s) => s };
}

/** Runs one process to completion; throws CancelledError when aborted, a typed error when it fails. */
export async function runOnce<T>(o: Operation<T>, signal?: AbortSignal, uri?: string): Promise<T> {
  if (signal?.aborted) throw new CancelledError();
  const { execa } = await loadExeca();
  if (signal?.aborted) throw new CancelledError();
  const started = performance.now();
  const r = await execa(o.command, [...o.args], {
    reject: false,
    stripFinalNewline: false,
    ...(signal ? { cancelSignal: signal, forceKillAfterDelay: 2000 } : {}),
    ...(o.input !== undefined ? { input: o.input } : { stdin: 'ignore' }),
    env: { LC_ALL: 'C' },
  });
  noteCallDuration(o.command, o.args, performance.now() - started);
  if (r.isCanceled || signal?.aborted) throw new CancelledError();
  if (r.failed) {
    const code = (r as { code?: string }).code;
    throw mapFailure({
      program: o.command,
      args: o.args,
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      stderr: String(r.stderr ?? '') || r.message,
      ...(code ? { code } : {}),
      ...(uri ? { uri } : {}),
    });
  }
  return o.parse(String(r.stdout));
}
