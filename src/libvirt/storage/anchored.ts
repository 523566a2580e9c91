/**
 * File operations for a process that may run as root in folders that others can write: a directory is opened
 * once and every later step names its files through /proc/self/fd/<fd>/<name>, so that a directory on the way
 * swapped for a link after the check cannot redirect them (what the *at() system calls do; Node has none). Final
 * components are never followed (O_NOFOLLOW), files are created exclusively (O_EXCL), owner and mode are changed on
 * the open descriptor, and the directory's real location can be required to lie inside given folders.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PermissionError } from '../../core/errors';
import { isInside } from './storage';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

export interface AnchoredDir {
  /** The directory's real path when it was opened. */
  readonly real: string;
  /** A path that reaches `name` in this very directory, whatever happens to the path it was opened by. */
  at(name: string): string;
  close(): Promise<void>;
}

/**
 * Opens the directory of `file` as an anchor. With `within`, its real location must be one of those folders or
 * inside one of them (they are resolved to their real paths first), else a PermissionError says so.
 */
export async function anchorDir(file: string, within?: readonly string[]): Promise<AnchoredDir> {
  const h = await fs.open(path.dirname(path.resolve(file)), O_RDONLY | O_DIRECTORY);
  try {
    const real = await fs.readlink(`/proc/self/fd/${h.fd}`);
    if (within) {
      const roots = await Promise.all(within.map((w) => fs.realpath(w).catch(() => undefined)));
      if (!roots.some((r) => r !== undefined && (r === real || isInside(real, r)))) {
        throw new PermissionError(`${file} lies in ${real}, which is not inside ${within.join(' or ')}: not touched.`);
      }
    }
    return { real, at: (name) => `/proc/self/fd/${h.fd}/${name}`, close: () => h.close() };
  } catch (e) {
    await h.close();
    throw e;
  }
}

/** Opens `name` in `dir` for reading without following a link (a FIFO does not block); undefined when absent. */
export async function openNoFollow(dir: AnchoredDir, name: string): Promise<fs.FileHandle | 'link' | undefined> {
  return fs.open(dir.at(name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    if (e.code === 'ELOOP') return 'link' as const;
    throw e;
  });
}
