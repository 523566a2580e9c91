/**
 * What one image file refers to (its backing file, an external data file), without opening those: so a missing
 * backing file is seen as missing rather than making the image unreadable. A plain qcow2 header is read directly
 * (no process: check and every deletion decision read many); anything else goes to `qemu-img info -U`, a few at a
 * time. Whatever cannot be read or followed is an `error`: callers that decide on deletions fail closed on it.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CancelledError } from '../../core/errors';
import { qemuImg } from '../process';

export interface ImageInfo {
  readonly exists: boolean;
  /** The backing file, absolute and normalised. */
  readonly backing?: string;
  /** A qcow2 external data file, absolute and normalised. */
  readonly dataFile?: string;
  readonly error?: string;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).trim().split('\n')[0] ?? '';

/** A file name given in a form that is not a plain path (json:{...}, nbd:..., file:...). */
const PROTOCOL = /^[a-z][a-z0-9+.-]*:/i;

function follow(file: string, name: string, what: string): { path?: string; error?: string } {
  if (PROTOCOL.test(name)) return { error: `${file} names its ${what} as "${name}", which qq2clone cannot follow` };
  return { path: path.resolve(path.dirname(file), name) };
}

/**
 * The backing file named by a plain qcow2 header; null when there is none; undefined when the header is not one
 * this reader can vouch for (not qcow2, another version, an external data file, values out of range).
 */
export async function qcow2Header(file: string, size: number): Promise<string | null | undefined> {
  const fh = await fs.open(file, 'r');
  try {
    const h = Buffer.alloc(104);
    const { bytesRead } = await fh.read(h, 0, h.length, 0);
    if (bytesRead < 72 || h.readUInt32BE(0) !== 0x514649fb) return undefined;
    const version = h.readUInt32BE(4);
    if (version !== 2 && version !== 3) return undefined;
    // Incompatible features other than "dirty" and "corrupt" (bit 2: an external data file) need qemu-img.
    if (version === 3 && (bytesRead < 104 || (h.readBigUInt64BE(72) & ~3n) !== 0n)) return undefined;
    const offset = Number(h.readBigUInt64BE(8));
    const length = h.readUInt32BE(16);
    if (!offset && !length) return null;
    if (!length || length > 1023 || offset + length > size) return undefined;
    const name = Buffer.alloc(length);
    await fh.read(name, 0, length, offset);
    return name.toString('utf8');
  } finally {
    await fh.close();
  }
}

/** What a plain qcow2 header records about its backing image. */
export interface Qcow2Facts {
  /** The backing file's name as written (not resolved); undefined when there is none. */
  readonly backing?: string;
  /** The backing file's format as written (header extension 0xE2792ACA); undefined when not recorded. */
  readonly backingFormat?: string;
}

/**
 * The backing file and its recorded format from the qcow2 header of an open file (nothing is probed, no link is
 * followed: the caller opened the file); undefined when the header is not one this reader vouches for.
 */
export async function qcow2Facts(fh: fs.FileHandle, size: number): Promise<Qcow2Facts | undefined> {
  const h = Buffer.alloc(104);
  const { bytesRead } = await fh.read(h, 0, h.length, 0);
  if (bytesRead < 72 || h.readUInt32BE(0) !== 0x514649fb) return undefined;
  const version = h.readUInt32BE(4);
  if (version !== 2 && version !== 3) return undefined;
  if (version === 3 && (bytesRead < 104 || (h.readBigUInt64BE(72) & ~3n) !== 0n)) return undefined;
  const clusterBits = h.readUInt32BE(20);
  if (clusterBits < 9 || clusterBits > 21) return undefined;
  const offset = Number(h.readBigUInt64BE(8));
  const length = h.readUInt32BE(16);
  let backing: string | undefined;
  if (offset || length) {
    if (!length || length > 1023 || offset + length > size) return undefined;
    const name = Buffer.alloc(length);
    await fh.read(name, 0, length, offset);
    backing = name.toString('utf8');
  }
  // Header extensions: from the end of the header to the end of the first cluster, each type, length, data
  // padded to 8 bytes; type 0 ends them.
  const start = version === 3 ? h.readUInt32BE(100) : 72;
  const end = Math.min(1 << clusterBits, size);
  if (start < 72 || start > end) return undefined;
  const ext = Buffer.alloc(end - start);
  await fh.read(ext, 0, ext.length, start);
  let backingFormat: string | undefined;
  for (let at = 0; at + 8 <= ext.length; ) {
    const type = ext.readUInt32BE(at);
    const len = ext.readUInt32BE(at + 4);
    if (type === 0) break;
    if (at + 8 + len > ext.length) return undefined;
    if (type === 0xe2792aca) backingFormat = ext.subarray(at + 8, at + 8 + len).toString('utf8');
    at += 8 + Math.ceil(len / 8) * 8;
  }
  return { ...(backing !== undefined ? { backing } : {}), ...(backingFormat ? { backingFormat } : {}) };
}

let running = 0;
const waiting: (() => void)[] = [];
/** At most four qemu-img processes at once for these reads (there may be hundreds of images). */
async function bounded<T>(f: () => Promise<T>): Promise<T> {
  if (running >= 4) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

async function viaQemuImg(file: string, signal?: AbortSignal): Promise<ImageInfo> {
  try {
    const { stdout } = await bounded(() => qemuImg(['info', '-U', '--output=json', file], signal));
    const j = JSON.parse(stdout) as Record<string, unknown>;
    const b = j['full-backing-filename'] ?? j['backing-filename'];
    const spec = (j['format-specific'] as { data?: { 'data-file'?: unknown } } | undefined)?.data?.['data-file'];
    const backing = typeof b === 'string' && b ? follow(file, b, 'backing file') : {};
    const data = typeof spec === 'string' && spec ? follow(file, spec, 'data file') : {};
    const error = backing.error ?? data.error;
    return {
      exists: true,
      ...(backing.path ? { backing: backing.path } : {}),
      ...(data.path ? { dataFile: data.path } : {}),
      ...(error ? { error } : {}),
    };
  } catch (e) {
    if (e instanceof CancelledError) throw e;
    if (signal?.aborted) throw new CancelledError();
    return { exists: true, error: `${file} cannot be read by qemu-img: ${message(e)}` };
  }
}

/** What `file` refers to (see the module comment). Throws only when cancelled. */
export async function imageInfo(file: string, signal?: AbortSignal): Promise<ImageInfo> {
  if (signal?.aborted) throw new CancelledError();
  const st = await fs.stat(file).catch((e: NodeJS.ErrnoException) => e);
  if (st instanceof Error) {
    if (st.code === 'ENOENT' || st.code === 'ENOTDIR') return { exists: false };
    return { exists: true, error: `${file} cannot be examined: ${st.message}` };
  }
  if (st.isDirectory()) return { exists: true }; // a directory disk (vvfat) has no backing file
  if (!st.isFile() && !st.isBlockDevice()) return { exists: true, error: `${file} is neither a file nor a block device` };
  if (st.isFile()) {
    const name = await qcow2Header(file, st.size).catch(() => undefined);
    if (name === null) return { exists: true };
    if (name !== undefined) {
      const b = follow(file, name, 'backing file');
      return { exists: true, ...(b.path ? { backing: b.path } : {}), ...(b.error ? { error: b.error } : {}) };
    }
  }
  return viaQemuImg(file, signal);
}
