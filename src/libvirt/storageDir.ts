/** The directory behind the configured STORAGE: an absolute path, or a libvirt directory pool's target path. */
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import type { LibvirtService } from './api';
import { virshVia } from './serviceCore';

export async function storageDir(svc: LibvirtService, signal?: AbortSignal): Promise<string> {
  const s = svc.config.storage;
  if (path.isAbsolute(s)) return s;
  const stdout = await virshVia(svc, ['pool-dumpxml', s], signal);
  if (!/<pool[^>]*type=['"]dir['"]/.test(stdout)) {
    throw new UsageError(`Storage pool ${s} is not a directory pool: set STORAGE to a directory or a dir pool.`);
  }
  const m = /<target>[\s\S]*?<path>([^<]+)<\/path>/.exec(stdout);
  if (!m?.[1]) throw new UsageError(`Storage pool ${s} has no target path.`);
  return m[1].trim();
}
