/**
 * Runs qemu-img, qemu-io and virsh for the template, staging and check modules, with arguments as arrays and the
 * caller's AbortSignal reaching the process. Failures become typed errors here: a missing program is
 * MissingDependencyError, a failed qemu tool ExternalCommandError, a failed virsh LibvirtError.
 */
import { execFile } from 'node:child_process';
import { CancelledError, ExternalCommandError, LibvirtError, MissingDependencyError } from '../core/errors';

export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
}

function runTool(program: string, args: readonly string[], signal?: AbortSignal): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(program, [...args], { signal, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      if (signal?.aborted || e.name === 'AbortError') return reject(new CancelledError());
      if (e.code === 'ENOENT') {
        return reject(new MissingDependencyError(`${program} is not installed or not on PATH: install it and retry.`, program));
      }
      const exitCode = typeof e.code === 'number' ? e.code : undefined;
      const failure = { command: [program, ...args].join(' '), exitCode, stderr };
      const first = stderr.trim().split('\n').find((l) => l.trim() !== '') ?? `exit ${exitCode ?? '?'}`;
      const message = `${program} ${args.find((a) => !a.startsWith('-') && a !== uriArg(args)) ?? ''} failed: ${first}`;
      reject(program === 'virsh' ? new LibvirtError(message, failure) : new ExternalCommandError(message, failure));
    });
  });
}

/** The value of virsh's -c option, so messages name the command and not the URI. */
function uriArg(args: readonly string[]): string | undefined {
  const i = args.indexOf('-c');
  return i >= 0 ? args[i + 1] : undefined;
}

/** qemu-img with these arguments. */
export function qemuImg(args: readonly string[], signal?: AbortSignal): Promise<ToolResult> {
  return runTool('qemu-img', args, signal);
}

/** virsh on a connection (-q, so tables have no headers). */
export function virshOn(uri: string, args: readonly string[], signal?: AbortSignal): Promise<ToolResult> {
  return runTool('virsh', ['-q', '-c', uri, ...args], signal);
}

/** virsh that answers undefined instead of throwing a LibvirtError (for "does it exist" questions). */
export async function tryVirshOn(uri: string, args: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
  try {
    return (await virshOn(uri, args, signal)).stdout;
  } catch (e) {
    if (e instanceof LibvirtError) return undefined;
    throw e;
  }
}
