/** Storage locations: an absolute directory, or the name of a libvirt directory pool (resolved to its path). */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import type { ServiceCore } from './core';
import { parsePoolXml } from './parse';

export interface StorageDir {
  readonly dir: string;
  /** The pool's name when the location is a pool (refreshed after files change). */
  readonly pool?: string;
}

export async function resolveStorage(core: ServiceCore, location: string, signal?: AbortSignal): Promise<StorageDir> {
  if (path.isAbsolute(location)) {
    await fs.mkdir(location, { recursive: true });
    return { dir: path.resolve(location) };
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(location))
    throw new UsageError(`Storage ${JSON.stringify(location)} is neither an absolute path nor a storage pool name.`);
  const p = parsePoolXml(await core.virsh(['pool-dumpxml', location], signal));
  if (p.type !== 'dir' || !p.path)
    throw new UsageError(`Storage pool ${location} is a ${p.type || 'unknown'} pool: only directory pools can hold clones.`);
  return { dir: path.resolve(p.path), pool: location };
}

/** Tells libvirt about changed files in a pool (best effort: a pool that is not running has nothing to refresh). */
export async function refreshPool(core: ServiceCore, s: StorageDir): Promise<void> {
  if (!s.pool) return;
  await core.virsh(['pool-refresh', s.pool]).catch(() => undefined);
}

/** True when `file` lies strictly inside `dir` (after resolving "..", without following links). */
export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
