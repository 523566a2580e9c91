/**
 * Which image store serves a connection (the one place an implementation is chosen), and the directory behind the
 * configured STORAGE (an absolute path, or a libvirt directory pool's target path).
 */
import type { LibvirtService } from '../api';
import { notLocalFiles } from '../../core/connectionUri';
import { UsageError } from '../../core/errors';
import { virshVia, type ServiceCore } from '../serviceCore';
import type { ImageStore } from './imageStore';
import { localFileStore } from './localFiles';

/**
 * The image store for a service's parts (they reach virsh through `core`). Today: files on this machine, so a
 * connection to another machine is refused here (UsageError), before anything is read or changed: clone, rm,
 * check, staging and reset all open the store first.
 */
export function openImageStore(core: Pick<ServiceCore, 'virsh'> & { readonly config: { readonly uri: string } }): ImageStore {
  const remote = notLocalFiles(core.config.uri);
  if (remote) throw new UsageError(remote);
  return localFileStore((args, signal) => core.virsh(args, signal));
}

/** The image store for code that holds the service itself. */
export function imageStoreOf(svc: LibvirtService): ImageStore {
  return openImageStore({ config: svc.config, virsh: (args, signal) => virshVia(svc, args, signal) });
}

/** The storage directory, normalised once (see resolveStorage): compare files with it through isInside. */
export async function storageDir(svc: LibvirtService, signal?: AbortSignal): Promise<string> {
  return (await imageStoreOf(svc).locate(svc.config.storage, signal)).dir;
}
