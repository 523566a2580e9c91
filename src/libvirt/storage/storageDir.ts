/**
 * Which image store serves a connection (the one place an implementation is chosen), and the directory behind the
 * configured STORAGE (an absolute path, or a libvirt directory pool's target path).
 */
import type { LibvirtService } from '../api';
import { UsageError } from '../../core/errors';
import { notLocalFiles } from '../../core/connectionUri';
import { virshVia, type ServiceCore } from '../serviceCore';
import type { ImageStore } from './imageStore';
import { localFileStore } from './localFiles';
import { poolVolumeStore } from './poolStore';

/**
 * The image store for a service's parts (they reach virsh through `core`): files on this machine for a local
 * connection, volumes through libvirt's storage-pool API for a connection to another machine (whose files this
 * machine cannot reach), chosen here alone.
 */
export function openImageStore(core: Pick<ServiceCore, 'virsh'> & { readonly config: { readonly uri: string } }): ImageStore {
  const virsh: ServiceCore['virsh'] = (args, signal) => core.virsh(args, signal);
  return notLocalFiles(core.config.uri) ? poolVolumeStore(virsh, core.config.uri) : localFileStore(virsh);
}

/**
 * The image store of files on this machine for `what`, which needs them (qemu-img on the images, folders read
 * directly); refused with a UsageError for a connection to another machine, before anything is read or changed.
 */
export function localImageStore(svc: LibvirtService, what: string): ImageStore {
  const store = imageStoreOf(svc);
  if (store.viaPools) throw new UsageError(`${what} works on files of this machine only; ${svc.config.uri} reaches another machine: run qq2clone there for it.`);
  return store;
}

/** The image store for code that holds the service itself. */
export function imageStoreOf(svc: LibvirtService): ImageStore {
  return openImageStore({ config: svc.config, virsh: (args, signal) => virshVia(svc, args, signal) });
}

/** The storage directory, normalised once (see resolveStorage): compare files with it through isInside. */
export async function storageDir(svc: LibvirtService, signal?: AbortSignal): Promise<string> {
  return (await imageStoreOf(svc).locate(svc.config.storage, signal)).dir;
}
