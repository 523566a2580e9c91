/** The directory behind the configured STORAGE (an absolute path, or a libvirt directory pool's target path). */
import type { LibvirtService } from '../api';
import { virshVia } from '../serviceCore';
import { resolveStorage } from './storage';

/** The storage directory, normalised once (see resolveStorage): compare files with it through isInside. */
export async function storageDir(svc: LibvirtService, signal?: AbortSignal): Promise<string> {
  const virsh = (args: readonly string[], s?: AbortSignal) => virshVia(svc, args, s);
  return (await resolveStorage({ virsh }, svc.config.storage, signal)).dir;
}
