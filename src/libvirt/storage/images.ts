/**
 * Template image generations. A template's disks are never written once it has clones: commit-image flattens the
 * staging overlay (with its backing chain) into a NEW standalone image, a "generation", and points the template at it.
 * Existing clones keep the image they were made from; an old generation is deleted only when nothing uses it.
 * Generation images live in <storage>/template-images/ as <template>.gen<N>.<disk>.qcow2 and are made read-only.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PermissionError } from '../../core/errors';
import { qcow2Header } from './imageInfo';
import { isDirectlyIn } from './storage';
import { qemuImg } from '../process';

/** One image of a backing chain as qemu-img reports it. */
export interface ChainEntry {
  readonly filename: string;
  readonly format: string;
  readonly backing?: string;
  readonly virtualSize: number;
}

/** The directory of generation images inside the storage directory. */
export function generationDir(storageDir: string): string {
  return path.join(storageDir, 'template-images');
}

const GEN = /\.gen(\d+)\.[^/]*\.qcow2$/;

/** The generation number of an image path: N for our generation files, 1 for any other (the imported image). */
export function generationOf(image: string): number {
  const m = GEN.exec(path.basename(image));
  return m ? Number(m[1]) : 1;
}

/** True when `image` is a generation file we made (the only template images we may delete). */
export function isOurGeneration(storageDir: string, image: string): boolean {
  return isDirectlyIn(image, generationDir(storageDir)) && GEN.test(path.basename(image));
}

/** The path of generation `n` of a template's disk `target` (e.g. vda). */
export function generationPath(storageDir: string, template: string, n: number, target: string): string {
  return path.join(generationDir(storageDir), `${template}.gen${n}.${target}.qcow2`);
}

/** The backing chain of an image, top first (-U: readable while a VM has it open). */
export async function backingChain(image: string, signal?: AbortSignal): Promise<ChainEntry[]> {
  const { stdout } = await qemuImg(['info', '-U', '--output=json', '--backing-chain', image], signal);
  const raw = JSON.parse(stdout) as Array<Record<string, unknown>>;
  return raw.map((e) => ({
    filename: String(e['filename']),
    format: String(e['format']),
    ...(typeof e['full-backing-filename'] === 'string' ? { backing: e['full-backing-filename'] } : {}),
    virtualSize: Number(e['virtual-size'] ?? 0),
  }));
}

/** The format qemu-img detects for an image (qcow2, raw...). */
export async function imageFormat(image: string, signal?: AbortSignal): Promise<string> {
  // The image alone (no --backing-chain): its format does not depend on its backing files being readable.
  const { stdout } = await qemuImg(['info', '-U', '--output=json', image], signal);
  return (JSON.parse(stdout) as { format?: string }).format ?? 'raw';
}

/**
 * A new qcow2 overlay on `backing` (its format written into the overlay: qemu refuses to probe it), detected when
 * not given.
 */
export async function createOverlay(backing: string, target: string, o: { backingFormat?: string; signal?: AbortSignal } = {}): Promise<void> {
  const fmt = o.backingFormat ?? (await imageFormat(backing, o.signal));
  await qemuImg(['create', '-q', '-f', 'qcow2', '-b', backing, '-F', fmt, target], o.signal);
}

/**
 * Writes `top` and everything below it into one new standalone qcow2 image at `target`, read-only on disk.
 * Written under a temporary name and renamed, so a cancelled or failed run leaves nothing behind.
 */
export async function flattenInto(top: string, target: string, signal?: AbortSignal): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.part`;
  try {
    await qemuImg(['convert', '-q', '-O', 'qcow2', top, tmp], signal);
    await fs.chmod(tmp, 0o444);
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * The backing file named in a qcow2 image's header (read directly: no process), resolved against the image's
 * directory; undefined for an image without one or whose header this reader cannot vouch for.
 */
export async function qcow2Backing(image: string): Promise<string | undefined> {
  const name = await qcow2Header(image, (await fs.stat(image)).size);
  return name ? path.resolve(path.dirname(image), name) : undefined;
}

/** chmod a-w: QEMU run by libvirt cannot open the image for writing, even by mistake. */
export async function makeReadOnly(image: string): Promise<void> {
  const st = await fs.stat(image);
  await fs.chmod(image, st.mode & 0o7555);
}

/**
 * Makes each existing image read-only on disk (chmod a-w), all or none: when one cannot be changed, the modes
 * already changed are put back and a PermissionError says what to do. Missing files are skipped (nothing to
 * protect), as are files already read-only and files on a read-only file system. Returns the undo (puts the
 * changed modes back), for a caller whose next step fails.
 */
export async function makeReadOnlyAll(images: readonly string[]): Promise<{ changed: string[]; undo: () => Promise<void> }> {
  const changed: { file: string; mode: number }[] = [];
  const undo = async (): Promise<void> => {
    for (const c of changed.reverse()) await fs.chmod(c.file, c.mode).catch(() => undefined);
  };
  for (const file of new Set(images)) {
    const st = await fs.stat(file).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : e));
    if (st === undefined) continue;
    try {
      if (st instanceof Error) throw st;
      const mode = st.mode & 0o7777;
      if ((mode & 0o222) === 0) continue;
      await fs.chmod(file, mode & 0o7555);
      changed.push({ file, mode });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EROFS') continue;
      await undo();
      throw new PermissionError(
        `Cannot make the template image ${file} read-only (chmod a-w: ${code ?? (e as Error).message}). A template's ` +
          `image must not be writable: writing it corrupts every clone. Make it read-only yourself (for example ` +
          `sudo chmod a-w ${file}) or make your user its owner, then try again. Nothing was changed.`,
      );
    }
  }
  return { changed: changed.map((c) => c.file), undo };
}

/** True if the image file is writable by anyone (mode bits). */
export async function isWritableOnDisk(image: string): Promise<boolean> {
  const st = await fs.stat(image);
  return (st.mode & 0o222) !== 0;
}
