/**
 * qemu-img and virsh for the template, staging and check modules, through the service's process runner (arrays
 * of arguments, the AbortSignal reaches the process, failures mapped to typed errors in failures.ts).
 */
import { op, runOnce } from './runner';
import { transportUri } from '../../core/connectionUri';

/** qemu-img with these arguments; its stdout. */
export async function qemuImg(args: readonly string[], signal?: AbortSignal): Promise<{ stdout: string }> {
  return { stdout: await runOnce(op('qemu-img', args), signal) };
}

/** One-shot virsh on a connection (-q: tables without headers), for when no service session is at hand. */
export async function virshOn(uri: string, args: readonly string[], signal?: AbortSignal): Promise<{ stdout: string }> {
  return { stdout: await runOnce(op('virsh', ['-q', '-c', transportUri(uri), ...args]), signal, uri) };
}
