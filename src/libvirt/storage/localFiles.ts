/**
 * The image store of files this machine reaches directly: qemu-img makes overlays and flattens chains (through the
 * process runner), shred overwrites, everything else is the file system.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ServiceCore } from '../serviceCore';
import { op, runOnce } from '../process';
import type { ImageStore, OverlayBatch, OverlayOptions, StoredFile } from './imageStore';
import { createOverlay, flattenInto, qcow2Backing } from './images';
import { refreshPool, resolveStorage } from './storage';

/** The internal snapshots' names in `qemu-img info --output=json`. */
export function internalSnapshotNames(json: string): string[] {
  const doc = JSON.parse(json) as { snapshots?: { name?: unknown }[] };
  return (doc.snapshots ?? []).map((s) => s.name).filter((n): n is string => typeof n === 'string');
}

function stored(file: string, st: import('node:fs').Stats): StoredFile {
  return {
    path: file,
    size: st.size,
    mtimeMs: st.mtimeMs,
    createdMs: st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs,
    isFile: st.isFile(),
  };
}

async function lstat(file: string, o: { followLinks?: boolean } = {}): Promise<StoredFile | undefined> {
  const st = await (o.followLinks ? fs.stat(file) : fs.lstat(file)).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  return st && stored(file, st);
}

/** Overwrites a file's bytes with zeros, syncs it. */
async function wipeFile(file: string, signal?: AbortSignal): Promise<void> {
  const h = await fs.open(file, 'r+');
  try {
    const { size } = await h.stat();
    const zeros = Buffer.alloc(1 << 20);
    for (let pos = 0; pos < size; pos += zeros.length) {
      signal?.throwIfAborted();
      await h.write(zeros, 0, Math.min(zeros.length, size - pos), pos);
    }
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Overlays copied from one made by qemu-img (a copy is much faster than one qemu-img process per overlay). */
async function copyBatch(backing: string, dir: string, o: OverlayOptions): Promise<OverlayBatch> {
  const proto = path.join(dir, `.q2c-proto-${randomBytes(6).toString('hex')}.qcow2`);
  await createOverlay(backing, proto, o);
  return {
    make: (target) => fs.copyFile(proto, target, fs.constants.COPYFILE_EXCL),
    close: () => fs.rm(proto, { force: true }),
  };
}

/** The store of local files; `virsh` resolves and refreshes libvirt directory pools named as locations. */
export function localFileStore(virsh: ServiceCore['virsh']): ImageStore {
  return {
    locate: (location, signal) => resolveStorage({ virsh }, location, signal),
    changed: (location) => refreshPool({ virsh }, location),
    createOverlay: (backing, target, o) => createOverlay(backing, target, o),
    overlayBatch: (backing, dir, o = {}) => copyBatch(backing, dir, o),
    async reserveName(dir, base) {
      await fs.mkdir(dir, { recursive: true });
      for (let i = 0; ; i++) {
        const file = path.join(dir, i ? `${base}-${randomBytes(3).toString('hex')}.qcow2` : `${base}.qcow2`);
        // Created exclusively (O_EXCL): the name is ours before qemu-img writes the overlay into it.
        const h = await fs.open(file, 'wx').catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'EEXIST' && i < 20) return undefined;
          throw e;
        });
        if (h) {
          await h.close();
          return file;
        }
      }
    },
    async resetOverlay(file) {
      const st = await fs.lstat(file);
      const backing = await qcow2Backing(file);
      if (!backing) throw new Error(`${file} has no backing image that can be read: not reset.`);
      const tmp = `${file}.reset-${randomBytes(4).toString('hex')}`;
      try {
        await createOverlay(backing, tmp);
        await fs.chown(tmp, st.uid, st.gid).catch(() => undefined);
        await fs.chmod(tmp, st.mode & 0o7777);
        await fs.rename(tmp, file);
      } catch (e) {
        await fs.rm(tmp, { force: true });
        throw e;
      }
    },
    flatten: (top, target, signal) => flattenInto(top, target, signal),
    exists: (file) => fs.lstat(file).then(() => true, () => false),
    stat: lstat,
    async list(dir) {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
      const files = await Promise.all(entries.filter((e) => e.isFile()).map((e) => lstat(path.join(dir, e.name))));
      return files.filter((f): f is StoredFile => f !== undefined);
    },
    delete: (file) => fs.rm(file, { force: true }),
    wipe: wipeFile,
    shred: async (file, signal) => void (await runOnce(op('shred', ['--', file]), signal)),
    snapshotNames: async (file, signal) =>
      runOnce({ command: 'qemu-img', args: ['info', '-U', '--output=json', '--', file], parse: internalSnapshotNames }, signal),
    async freeSpace(dir) {
      const s = await fs.statfs(dir);
      return s.bavail * s.bsize;
    },
  };
}
