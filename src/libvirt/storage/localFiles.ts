/**
 * The image store of files this machine reaches directly: qemu-img makes overlays and flattens chains (through the
 * process runner), shred overwrites, everything else is the file system.
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ServiceCore } from '../serviceCore';
import { op, runOnce } from '../process';
import type { ImageStore, OverlayBatch, OverlayFacts, OverlayOptions, StoredFile } from './imageStore';
import { createOverlay, flattenInto, makeReadOnlyAll } from './images';
import { recordConnection } from './connections';
import { imageInfo, qcow2Facts } from './imageInfo';
import { anchorDir, openNoFollow, type AnchoredDir } from './anchored';
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

/** A backing file name as an overlay's header writes it, resolved against the overlay's folder (a name such as json:{...} stays as it is). */
function backingPath(file: string, name: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(name) ? name : path.resolve(path.dirname(file), name);
}

async function inspectOverlay(file: string, o: { within?: readonly string[] } = {}): Promise<OverlayFacts | undefined> {
  const dir = await anchorDir(file, o.within).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  if (!dir) return undefined;
  try {
    const h = await openNoFollow(dir, path.basename(file));
    if (!h) return undefined;
    if (h === 'link') return { path: file, dir: dir.real, isFile: false, links: 1 };
    try {
      const st = await h.stat();
      if (!st.isFile()) return { path: file, dir: dir.real, isFile: false, links: st.nlink };
      const f = await qcow2Facts(h, st.size);
      return {
        path: file,
        dir: dir.real,
        isFile: true,
        links: st.nlink,
        qcow2: !!f,
        ...(f?.backing !== undefined ? { backing: backingPath(file, f.backing) } : {}),
        ...(f?.backingFormat ? { backingFormat: f.backingFormat } : {}),
      };
    } finally {
      await h.close();
    }
  } finally {
    await dir.close();
  }
}

/** The bytes of a fresh overlay on `backing` (format given), made by qemu-img in a private folder. */
async function freshOverlay(backing: string, backingFormat: string): Promise<Buffer> {
  const priv = await fs.mkdtemp(path.join(os.tmpdir(), 'q2c-reset-'));
  try {
    const made = path.join(priv, 'overlay.qcow2');
    await createOverlay(backing, made, { backingFormat });
    return await fs.readFile(made);
  } finally {
    await fs.rm(priv, { recursive: true, force: true });
  }
}

/** Writes `bytes` into a new file `name` of `dir` (O_EXCL, O_NOFOLLOW), owner and mode set on the descriptor, then renames it over `target`. */
async function replaceWith(dir: AnchoredDir, name: string, target: string, bytes: Buffer, owner: { uid: number; gid: number; mode: number }): Promise<void> {
  const C = fs.constants;
  const h = await fs.open(dir.at(name), C.O_CREAT | C.O_EXCL | C.O_WRONLY | C.O_NOFOLLOW, 0o600);
  let ino = -1;
  let done = false;
  try {
    await h.writeFile(bytes);
    await h.chown(owner.uid, owner.gid).catch(() => undefined);
    await h.chmod(owner.mode & 0o777);
    await h.sync();
    ino = (await h.stat()).ino;
    // Renamed only while the name still is the file written here (rename itself never follows a link).
    if ((await fs.lstat(dir.at(name))).ino !== ino) throw new Error(`${name} was replaced by someone else while it was written: not used.`);
    await fs.rename(dir.at(name), dir.at(target));
    done = true;
  } finally {
    await h.close();
    if (!done) {
      const there = await fs.lstat(dir.at(name)).catch(() => undefined);
      if (there && (ino < 0 || there.ino === ino)) await fs.rm(dir.at(name), { force: true }).catch(() => undefined);
    }
  }
}

/**
 * Makes an overlay afresh on the backing file its header names, with the backing format its header records (never
 * probed again: a raw image whose bytes look like qcow2 stays raw), in the very folder it was found in (see
 * anchored.ts); owner and mode stay. Refused for a link, a file that is not a qcow2 overlay, or one without a
 * recorded backing format.
 */
async function resetAnchored(file: string, o: { within?: readonly string[] } = {}): Promise<void> {
  const dir = await anchorDir(file, o.within);
  const name = path.basename(file);
  try {
    const h = await openNoFollow(dir, name);
    if (!h || h === 'link') throw new Error(`${file} is ${h ? 'a symbolic link' : 'missing'}: not reset.`);
    let st: import('node:fs').Stats;
    let facts: Awaited<ReturnType<typeof qcow2Facts>>;
    try {
      st = await h.stat();
      facts = st.isFile() ? await qcow2Facts(h, st.size) : undefined;
    } finally {
      await h.close();
    }
    if (!facts?.backing) throw new Error(`${file} has no backing image that can be read: not reset.`);
    const format = facts.backingFormat;
    if (!format || !/^[a-z][a-z0-9_-]*$/.test(format)) throw new Error(`${file} does not record its backing image's format: not reset (the format is never guessed).`);
    const bytes = await freshOverlay(backingPath(file, facts.backing), format);
    await replaceWith(dir, `${name}.reset-${randomBytes(4).toString('hex')}`, name, bytes, st);
  } finally {
    await dir.close();
  }
}

/** Deletes `file` (never through a link on the way; a file already gone is fine). */
async function deleteAnchored(file: string, o: { within?: readonly string[] } = {}): Promise<void> {
  const dir = await anchorDir(file, o.within).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  if (!dir) return;
  try {
    await fs.rm(dir.at(path.basename(file)), { force: true });
  } finally {
    await dir.close();
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
    viaPools: false,
    imageInfo,
    recordUse: (location, uri) => recordConnection(location.dir, uri),
    makeReadOnly: (files) => makeReadOnlyAll(files),
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
    resetOverlay: resetAnchored,
    inspectOverlay,
    flatten: (top, target, signal) => flattenInto(top, target, signal),
    exists: (file) => fs.lstat(file).then(() => true, () => false),
    stat: lstat,
    async list(dir) {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
      const files = await Promise.all(entries.filter((e) => e.isFile()).map((e) => lstat(path.join(dir, e.name))));
      return files.filter((f): f is StoredFile => f !== undefined);
    },
    delete: deleteAnchored,
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
