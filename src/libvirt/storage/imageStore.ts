/**
 * The one interface to the image files behind clones and templates. Clone, rm, check, staging and the power-off
 * policies ask it, and never touch image files themselves. Files are named by their paths, as libvirt names its
 * volumes (virsh vol-* accept a path), so the implementation through libvirt's storage-pool API (poolStore.ts, for hosts whose files this
 * machine cannot reach) is chosen in openImageStore alone; files of this machine are localFiles.ts.
 */
import type { StorageDir } from './storage';
import type { ImageInfo } from './imageInfo';

/** One file of a storage location. */
export interface StoredFile {
  readonly path: string;
  /** Apparent size in bytes. */
  readonly size: number;
  readonly mtimeMs: number;
  /** When the file was made (birth time, or its inode change time where there is none). */
  readonly createdMs: number;
  /** A regular file (not a directory, not a symbolic link). */
  readonly isFile: boolean;
}

/** Many overlays on one backing image, made quickly one after the other (a batch of clones). */
export interface OverlayBatch {
  /** A new overlay at `target`; refused when `target` exists. */
  make(target: string, signal?: AbortSignal): Promise<void>;
  /** Removes what the batch kept for itself. */
  close(): Promise<void>;
}

export interface OverlayOptions {
  /** The backing image's format; detected when not given (qemu refuses to probe it at run time). */
  readonly backingFormat?: string;
  readonly signal?: AbortSignal;
}

/** What an overlay file is, read without following a link (see inspectOverlay). */
export interface OverlayFacts {
  readonly path: string;
  /** The real path of the folder it was found in. */
  readonly dir: string;
  /** A regular file (not a link, a directory, a device or a FIFO). */
  readonly isFile: boolean;
  /** Its hard link count. */
  readonly links: number;
  /** A qcow2 image whose header this reader vouches for. */
  readonly qcow2?: boolean;
  /** The backing file its header names, resolved against its folder. */
  readonly backing?: string;
  /** The backing format its header records (absent: not recorded). */
  readonly backingFormat?: string;
}

/** Folders an operation may act in: the real location of the file's folder must be one of them or inside one. */
export interface Within {
  readonly within?: readonly string[];
}

export interface ImageStore {
  /** Resolves a STORAGE setting (an absolute directory, or a libvirt directory pool's name), making it if needed. */
  locate(location: string, signal?: AbortSignal): Promise<StorageDir>;
  /**
   * Records that the connection `uri` makes clones in `location` (local files: its record file, read by check on
   * other connections before anything is deleted as unused; a pool belongs to its host: nothing to record).
   */
  recordUse(location: StorageDir, uri: string): Promise<void>;
  /**
   * Makes template images read-only where the store can (local files: chmod a-w, all or none); resolves to the files
   * changed and the undo. A pool volume's mode cannot be changed through libvirt: nothing is changed there.
   */
  makeReadOnly(files: readonly string[]): Promise<{ changed: string[]; undo: () => Promise<void> }>;
  /** True when the store reaches files through libvirt's storage-pool API (not as files of this machine). */
  readonly viaPools: boolean;
  /** Tells whoever indexes the location that files in it changed (a pool is refreshed); best effort. */
  changed(location: StorageDir): Promise<void>;
  /** A new qcow2 overlay at `target` on `backing`; `target` may be a name reserved with reserveName. */
  createOverlay(backing: string, target: string, o?: OverlayOptions): Promise<void>;
  /** Starts a batch of overlays on `backing`, for files in the directory `dir`. */
  overlayBatch(backing: string, dir: string, o?: OverlayOptions): Promise<OverlayBatch>;
  /**
   * A name `<base>.qcow2` in `dir` (or `<base>-<random>.qcow2` when taken), reserved as an empty file: an existing
   * file is never replaced.
   */
  reserveName(dir: string, base: string): Promise<string>;
  /**
   * Makes the overlay `file` afresh on its own backing image, with the backing format its header records (never
   * probed again; refused when none is recorded): the guest's changes are gone; owner and mode stay. No link is
   * followed, the temporary file is made exclusively.
   */
  resetOverlay(file: string, o?: Within): Promise<void>;
  /** What the file at `file` is (undefined when nothing is there), read without following a link. */
  inspectOverlay(file: string, o?: Within): Promise<OverlayFacts | undefined>;
  /** Writes `top` and its backing chain into one new read-only standalone image `target`; nothing left on failure. */
  flatten(top: string, target: string, signal?: AbortSignal): Promise<void>;
  /** True when something (of any kind) is at `file`. */
  exists(file: string): Promise<boolean>;
  /**
   * The file at `file`, or undefined when there is none. A symbolic link is itself the file (isFile false) unless
   * `followLinks`: then it is the file it points to.
   */
  stat(file: string, o?: { followLinks?: boolean }): Promise<StoredFile | undefined>;
  /** The regular files directly in `dir` (none when it does not exist). */
  list(dir: string): Promise<StoredFile[]>;
  /** Deletes `file` (never through a link on the way); a file already gone is fine. */
  delete(file: string, o?: Within): Promise<void>;
  /** Overwrites the file's bytes with zeros (the guest data it held), synced; its size stays. */
  wipe(file: string, signal?: AbortSignal): Promise<void>;
  /** Overwrites the file with passes of random data (shred), synced; its last block is filled up. */
  shred(file: string, signal?: AbortSignal): Promise<void>;
  /** The names of the internal snapshots inside the image `file` (qcow2 keeps them in the file). */
  snapshotNames(file: string, signal?: AbortSignal): Promise<string[]>;
  /** Whether the image `file` exists and what it is backed by (never throws: what cannot be read is its error). */
  imageInfo(file: string, signal?: AbortSignal): Promise<ImageInfo>;
  /** Bytes free for new files in `dir` (for an unprivileged writer). */
  freeSpace(dir: string): Promise<number>;
}
