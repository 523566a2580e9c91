/**
 * Storage locations: an absolute directory, or the name of a libvirt directory pool (resolved to its path).
 * The directory is normalised here, once (path.resolve: no trailing slash, no "." or ".."), so every comparison
 * of a file with it can use isInside.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UsageError } from '../../core/errors';
import type { ServiceCore } from '../serviceCore';
import { parsePoolXml } from '../virsh';

export interface StorageDir {
  /** The directory, normalised (absolute, no trailing slash, no "." or ".." components). */
  readonly dir: string;
  /** The pool's name when the location is a pool (refreshed after files change). */
  readonly pool?: string;
}

export async function resolveStorage(
  core: Pick<ServiceCore, 'virsh'>,
  location: string,
  signal?: AbortSignal,
): Promise<StorageDir> {
  if (path.isAbsolute(location)) {
    const dir = path.resolve(location);
    await fs.mkdir(dir, { recursive: true });
    return { dir };
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(location))
    throw new UsageError(`Storage ${JSON.stringify(location)} is neither an absolute path nor a storage pool name.`);
  const p = parsePoolXml(await core.virsh(['pool-dumpxml', location], signal));
  if (p.type !== 'dir' || !p.path)
    throw new UsageError(`Storage pool ${location} is a ${p.type || 'unknown'} pool: only directory pools can hold clones.`);
  return { dir: path.resolve(p.path), pool: location };
}

/** Tells libvirt about changed files in a pool (best effort: a pool that is not running has nothing to refresh). */
export async function refreshPool(core: Pick<ServiceCore, 'virsh'>, s: StorageDir): Promise<void> {
  if (!s.pool) return;
  await core.virsh(['pool-refresh', s.pool]).catch(() => undefined);
}

/** True when `file` lies strictly inside `dir` (after resolving "..", without following links). */
export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** True when `file` lies directly in `dir` (not in a subdirectory), both normalised first. */
export function isDirectlyIn(file: string, dir: string): boolean {
  return path.dirname(path.resolve(file)) === path.resolve(dir);
}
