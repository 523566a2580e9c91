/**
 * Where libvirt keeps a domain's managed save image (the guest's RAM after `virsh managedsave`). libvirt has no call
 * that names the file: its QEMU driver writes <saveDir>/<name>.save, saveDir being /var/lib/libvirt/qemu/save for the
 * system connection and $XDG_CONFIG_HOME/libvirt/qemu/save for the session one. Only a local connection's file can
 * be reached.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../../core/errors';

/** The directory of managed save images for a connection URI, or undefined when it is not a local QEMU one. */
export function managedSaveDir(uri: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const m = /^qemu(\+unix)?:\/\/\/(system|session)(\?.*)?$/.exec(uri.trim());
  if (!m) return undefined;
  if (m[2] === 'system') return '/var/lib/libvirt/qemu/save';
  const config = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(config, 'libvirt', 'qemu', 'save');
}

/**
 * The managed save image of domain `name`, checked to be a regular file this process can write; a UsageError
 * saying why it cannot be overwritten otherwise (the domain is left as it is).
 */
export async function managedSavePath(uri: string, name: string): Promise<string> {
  const dir = managedSaveDir(uri);
  const fallback = `Drop the saved state with save-rm first (its bytes are then left on disk), or run this where the file can be written.`;
  if (!dir) throw new UsageError(`Cannot overwrite the saved state (guest memory) of ${name}: the connection ${uri} is not a local QEMU one. ${fallback}`);
  const file = path.join(dir, `${name}.save`);
  const problem = await fs.access(file, fs.constants.W_OK).then(
    () => undefined,
    (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? 'it is not there' : e.message),
  );
  if (problem) throw new UsageError(`Cannot overwrite the saved state (guest memory) of ${name} at ${file}: ${problem}. ${fallback}`);
  return file;
}
