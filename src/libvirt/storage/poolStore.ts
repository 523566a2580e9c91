/**
 * The image store through libvirt's storage-pool API, for a connection whose files this machine cannot reach (a
 * host over SSH or TLS): every file is a volume of a directory pool there, named by its path as libvirt names it,
 * and every change is a virsh command on the connection's sessions (pipelined: a batch of clones is not one SSH
 * round trip after another). Overlays are `vol-create-as ... --backing-vol-format` (the format is always given: a
 * dir pool assumes raw), deletion `vol-delete`, wiping `vol-wipe`; what the pool API cannot do (flatten, internal
 * snapshot names, reserving a name, making an image read-only) is refused with a message that says so.
 */
import * as path from 'node:path';
import { UsageError } from '../../core/errors';
import type { ServiceCore } from '../serviceCore';
import type { ImageStore, OverlayBatch, OverlayFacts, StoredFile } from './imageStore';
import { parsePoolXml } from '../virsh';
import type { StorageDir } from './storage';
import { parseVolList, parseVolumeXml, poolAvailable, volumeMissing, type VolumeFacts } from './volumeXml';

type Virsh = ServiceCore['virsh'];

function notHere(what: string, uri: string): never {
  throw new UsageError(`${what} is not possible through libvirt's storage-pool API, which qq2clone uses for ${uri}: run qq2clone on that host for it.`);
}

/** The store of pool volumes on the connection `uri`. */
export function poolVolumeStore(virsh: Virsh, uri: string): ImageStore {
  /** Pool names by their target directory, learnt as pools are located. */
  const pools = new Map<string, string>();

  const locate = async (location: string, signal?: AbortSignal): Promise<StorageDir> => {
    let name = location;
    if (path.isAbsolute(location)) {
      name = await poolOf(path.resolve(location), signal);
    } else if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(location)) {
      throw new UsageError(`Storage ${JSON.stringify(location)} is not a storage pool name (on ${uri}, STORAGE names a directory pool).`);
    }
    const p = parsePoolXml(await virsh(['pool-dumpxml', '--', name], signal));
    if (p.type !== 'dir' || !p.path)
      throw new UsageError(`Storage pool ${name} on ${uri} is a ${p.type || 'unknown'} pool: only directory pools can hold clones.`);
    const dir = path.resolve(p.path);
    pools.set(dir, name);
    // Files may have changed behind libvirt's back (a crash, another tool): the volumes listed must be the files.
    await virsh(['pool-refresh', '--', name], signal).catch(() => undefined);
    return { dir, pool: name };
  };

  /** The directory pool whose target is `dir`. */
  async function poolOf(dir: string, signal?: AbortSignal): Promise<string> {
    const known = pools.get(dir);
    if (known) return known;
    const names = (await virsh(['pool-list', '--all', '--name'], signal)).split('\n').map((l) => l.trim()).filter(Boolean);
    for (const n of names) {
      const p = parsePoolXml(await virsh(['pool-dumpxml', '--', n], signal));
      if (p.path) pools.set(path.resolve(p.path), n);
    }
    const found = pools.get(dir);
    if (!found) throw new UsageError(`${dir} is not the folder of a storage pool on ${uri}: define a directory pool for it there (virsh pool-define-as NAME dir --target ${dir}).`);
    return found;
  }

  const volume = async (file: string, signal?: AbortSignal): Promise<VolumeFacts | undefined> =>
    virsh(['vol-dumpxml', '--', file], signal).then(parseVolumeXml, (e: Error) => (volumeMissing(e.message) ? undefined : Promise.reject(e)));

  const stored = (v: VolumeFacts, file = v.path): StoredFile => ({
    path: file,
    size: v.capacity,
    mtimeMs: v.mtimeMs,
    createdMs: v.createdMs,
    isFile: v.type === 'file',
  });

  const create = async (backing: string, target: string, format: string | undefined, signal?: AbortSignal): Promise<void> => {
    const fmt = format ?? (await volume(backing, signal))?.format;
    if (!fmt) throw new UsageError(`The backing image ${backing} is not a volume of a pool on ${uri} (or its format is unknown): it cannot back an overlay there.`);
    const pool = await poolOf(path.dirname(path.resolve(target)), signal);
    await virsh(
      ['vol-create-as', '--pool', pool, '--name', path.basename(target), '--capacity', '0', '--format', 'qcow2', '--backing-vol', backing, '--backing-vol-format', fmt],
      signal,
    );
  };

  const remove = async (file: string, o: { within?: readonly string[] } = {}): Promise<void> => {
    if (o.within && !o.within.some((d) => path.dirname(path.resolve(file)) === path.resolve(d) || path.resolve(file).startsWith(`${path.resolve(d)}/`)))
      throw new UsageError(`${file} is not inside ${o.within.join(', ')}: not deleted.`);
    await virsh(['vol-delete', '--', file]).catch((e: Error) => (volumeMissing(e.message) ? undefined : Promise.reject(e)));
  };

  return {
    viaPools: true,
    async imageInfo(file, signal) {
      try {
        const v = await volume(file, signal);
        return v ? { exists: true, ...(v.backing ? { backing: path.resolve(v.backing.path) } : {}) } : { exists: false };
      } catch (e) {
        if (signal?.aborted) throw e;
        return { exists: true, error: `${file} cannot be examined on ${uri}: ${(e as Error).message}` };
      }
    },
    recordUse: async () => undefined,
    async makeReadOnly(files) {
      for (const f of files) if (!(await volume(f))) throw new UsageError(`The template image ${f} is not a volume of a storage pool on ${uri} (virsh vol-list POOL there; a pool-refresh may be needed).`);
      return { changed: [], undo: async () => undefined };
    },
    locate,
    changed: async (location) => {
      if (location.pool) await virsh(['pool-refresh', '--', location.pool]).catch(() => undefined);
    },
    createOverlay: (backing, target, o = {}) => create(backing, target, o.backingFormat, o.signal),
    async overlayBatch(backing, dir, o = {}): Promise<OverlayBatch> {
      // The format once for the whole batch; each overlay is one command on the connection's sessions.
      const fmt = o.backingFormat ?? (await volume(backing, o.signal))?.format;
      await poolOf(path.resolve(dir), o.signal);
      return { make: (target, signal) => create(backing, target, fmt, signal ?? o.signal), close: async () => undefined };
    },
    reserveName: () => notHere('Reserving an image name', uri),
    async resetOverlay(file, o = {}) {
      const v = await volume(file);
      if (!v || v.type !== 'file') throw new UsageError(`${file} is not a volume on ${uri}: not reset.`);
      if (!v.backing?.path || !v.backing.format || !/^[a-z][a-z0-9_-]*$/.test(v.backing.format))
        throw new UsageError(`${file} does not record its backing image and its format: not reset (the format is never guessed).`);
      // Not vol-wipe: that zeroes the qcow2 header too. Deleted and made again on the same backing.
      await remove(file, o);
      await create(v.backing.path, file, v.backing.format);
    },
    async inspectOverlay(file): Promise<OverlayFacts | undefined> {
      const v = await volume(file);
      if (!v) return undefined;
      return {
        path: file,
        dir: path.dirname(path.resolve(file)),
        isFile: v.type === 'file',
        links: 1,
        qcow2: v.format === 'qcow2',
        ...(v.backing ? { backing: v.backing.path } : {}),
        ...(v.backing?.format ? { backingFormat: v.backing.format } : {}),
      };
    },
    flatten: () => notHere('Writing an image chain into one image', uri),
    exists: async (file) => (await volume(file)) !== undefined,
    stat: async (file) => {
      const v = await volume(file);
      return v && stored(v, file);
    },
    async list(dir) {
      const pool = await poolOf(path.resolve(dir)).catch(() => undefined);
      if (!pool) return [];
      const rows = parseVolList(await virsh(['vol-list', '--pool', pool, '--details'])).filter((r) => r.type === 'file');
      const facts = await Promise.all(rows.map((r) => volume(r.path)));
      return facts.filter((v): v is VolumeFacts => v !== undefined).map((v) => stored(v));
    },
    delete: remove,
    wipe: async (file, signal) => void (await virsh(['vol-wipe', '--', file], signal)),
    shred: async (file, signal) => void (await virsh(['vol-wipe', '--algorithm', 'random', '--', file], signal)),
    snapshotNames: () => notHere('Reading the internal snapshots inside an image', uri),
    freeSpace: async (dir) => poolAvailable(await virsh(['pool-info', '--bytes', '--', await poolOf(path.resolve(dir))])),
  };
}
