/**
 * Looking inside the disks of clones and templates: browse, read, write, copy in and out, and compare a clone with
 * the image it was made on. A clone that is off opens read-write (only its overlays are written; the template's
 * image is never opened for writing); a running clone or a template opens read-only. Each disk set gets one
 * appliance from the pool, reused by later calls.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError, PermissionError, TemplateError, UsageError, type Qq2Error } from '../../core/errors';
import { diffMetadata, withContent, type Change, type TreeEntry } from '../../core/treeDiff';
import type { CloneInfo, LibvirtService } from '../api';
import { backingChain, imageFormat } from '../storage';
import { qemuImg } from '../process';
import type { Drive, GuestfsHelper, Mounted } from './client';
import { LvmBaseError } from './errors';
import { AppliancePool, type DiskSetSpec, type PoolOptions } from './pool';

/** A clone (by number) or a template's own disks. */
export interface DiskTarget {
  readonly template: string;
  /** The clone's number, or 'template' for the template's image. */
  readonly clone: number | 'template';
}

export interface StatResult {
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
  readonly ctime: number;
  readonly target?: string;
  readonly targetMode?: number;
}

/** [name, mode, size, mtime] */
export type DirEntry = [string, number, number, number];

export interface DiffProgress {
  readonly message: string;
  /** 0..100, when known. */
  readonly percent?: number;
}

/** How long opening a clone read-write waits for its lock held by another operation. */
const LOCK_WAIT_MS = 30_000;

/** copy-out would write over a local file or folder, which it does only when told to. */
export class LocalExistsError extends UsageError {
  constructor(readonly path: string) {
    super(`${path} already exists: nothing was copied. Choose another folder, or allow overwriting it.`);
  }
}

export const targetKey = (t: DiskTarget): string => `${t.template}/${t.clone}`;
export const targetWhat = (t: DiskTarget): string => (t.clone === 'template' ? `template ${t.template}` : `clone ${t.clone} of ${t.template}`);

export class DiskAccess {
  private readonly pool: AppliancePool;
  /** Disk sets opened without the template's image (LVM). */
  private readonly noBase = new Set<string>();
  private readonly readOnlyUnlessWriting: boolean;

  /**
   * `readOnlyUnlessWriting`: open read-only unless the call writes (the CLI: its reads then never take the clone's
   * write lock, which a disk view of the extension may hold). Without it an off clone opens read-write at once,
   * so the explorer shows it writable.
   */
  constructor(
    private readonly service: LibvirtService,
    options: PoolOptions & { readonly readOnlyUnlessWriting?: boolean },
  ) {
    this.readOnlyUnlessWriting = options.readOnlyUnlessWriting === true;
    this.pool = new AppliancePool(options);
  }

  /** The disk sets with an open appliance ("T/3", "T/template"). */
  get open(): string[] {
    return this.pool.open;
  }

  private async clone(t: DiskTarget, signal?: AbortSignal): Promise<{ info?: CloneInfo; disks: string[] }> {
    const inv = await this.service.inventory(signal);
    const tpl = inv.templates.find((x) => x.name === t.template);
    if (!tpl) throw new TemplateError(`Template '${t.template}' does not exist.`);
    if (t.clone === 'template') {
      if (!tpl.disks.length) throw new UsageError(`Template ${t.template} has no disk image.`);
      return { disks: [...tpl.disks] };
    }
    const info = inv.clones.find((c) => c.template === t.template && c.id === t.clone);
    if (!info) throw new UsageError(`Template ${t.template} has no clone ${t.clone}.`);
    return { info, disks: await this.service.cloneDisks(info.uuid, signal) };
  }

  /** May this clone's disks be written now? Says why not otherwise. */
  private static writeRefusal(t: DiskTarget, info?: CloneInfo): string | undefined {
    if (t.clone === 'template' || !info)
      return `Templates are read-only: their image is the base of every clone. Change it with Prepare Image (modify-template ${t.template} prepare-image).`;
    if (info.state === 'off') return undefined;
    if (info.state === 'saved')
      return `${targetWhat(t)} has a saved state: writing its disk would corrupt what it resumes. Delete the saved state or start and shut it down first.`;
    return `${targetWhat(t)} is ${info.state}: its disk is read-only while it runs (writing would corrupt it). Shut it down, then try again.`;
  }

  private async spec(t: DiskTarget, o: { base?: boolean; write?: boolean; signal?: AbortSignal }): Promise<DiskSetSpec> {
    const key = targetKey(t);
    const open = this.pool.peek(key);
    const hasBase = (s: DiskSetSpec) => s.drives.some((d) => d.side === 'b');
    if (open && !o.write && (!o.base || hasBase(open))) return open;
    const { info, disks } = await this.clone(t, o.signal);
    const refusal = DiskAccess.writeRefusal(t, info);
    if (o.write && refusal) throw new PermissionError(refusal);
    if (open && o.write && !open.readonly && (!o.base || hasBase(open))) return open;
    const drives: Drive[] = [];
    for (const d of disks) drives.push({ path: d, side: 'm', format: t.clone === 'template' ? await imageFormat(d, o.signal) : 'qcow2' });
    // A clone's appliance gets the template's image too (read-only), so browsing and comparing share one start;
    // not for LVM disks, whose volumes cannot be told apart from the template's (see run).
    if (o.base || (t.clone !== 'template' && !this.noBase.has(key) && (!open || hasBase(open)))) {
      if (t.clone === 'template') throw new UsageError(`A template has nothing to compare with: compare one of its clones.`);
      for (const d of disks) {
        const [, below] = await backingChain(d, o.signal);
        if (!below) throw new UsageError(`${d} of ${targetWhat(t)} has no backing image to compare with.`);
        drives.push({ path: below.filename, side: 'b', format: below.format });
      }
    }
    const readonly = refusal !== undefined || (this.readOnlyUnlessWriting && !o.write);
    // Read-write only for a clone that is off (writeRefusal): its lock is held while the appliance is open.
    const uuid = info?.uuid;
    const hold = !readonly && uuid ? (signal?: AbortSignal) => this.holdCloneLock(uuid, t, signal) : undefined;
    return { key, what: targetWhat(t), drives, readonly, ...(hold ? { hold } : {}) };
  }

  /**
   * Takes the clone's lock (the one rm, reset, edits and other processes take) and keeps it until the returned
   * release is called. Waits at most LOCK_WAIT_MS for another holder, then refuses saying so.
   */
  private holdCloneLock(uuid: string, t: DiskTarget, signal?: AbortSignal): Promise<() => void> {
    const late = AbortSignal.timeout(LOCK_WAIT_MS);
    const waiting = signal ? AbortSignal.any([signal, late]) : late;
    return new Promise((resolve, reject) => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      this.service
        .withCloneLock(uuid, async () => {
          resolve(release);
          await held;
        }, waiting)
        .catch((e: unknown) => {
          if (signal?.aborted) reject(new CancelledError());
          else if (late.aborted) reject(new UsageError(`${targetWhat(t)} is in use by another operation (rm, a reset, an edit or another disk view): try again when it has finished.`));
          else reject(e as Qq2Error);
        });
    });
  }

  /**
   * Runs `work` on the appliance of `t`. With `cancelEnds` (long copies) a cancel ends the appliance, and so the
   * call it runs, at once: the helper answers one call at a time and cannot interrupt one.
   */
  private async run<T>(
    t: DiskTarget,
    o: { base?: boolean; write?: boolean; signal?: AbortSignal; cancelEnds?: boolean },
    work: (h: GuestfsHelper) => Promise<T>,
  ): Promise<T> {
    const s = await this.spec(t, o);
    const onAbort = () => void this.pool.close(s.key, true);
    if (o.cancelEnds) o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.pool.use(s, work, o.signal);
    } catch (e) {
      if (o.signal?.aborted) throw new CancelledError();
      if (!(e instanceof LvmBaseError) || o.base) throw e;
      this.noBase.add(s.key);
      return this.pool.use(await this.spec(t, o), work, o.signal);
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Opens (starts the appliance of) a disk set and says how its filesystems are mounted and whether it is
   * read-only. Later calls reuse it.
   */
  async openDisk(t: DiskTarget, signal?: AbortSignal): Promise<{ readonly: boolean; mounts: readonly Mounted[]; encrypted: readonly string[] }> {
    return this.run(t, { signal }, async (h) => ({
      readonly: this.isReadonly(t) ?? true,
      mounts: h.layout!.sides.m.layout,
      encrypted: h.layout!.sides.m.encrypted,
    }));
  }

  /** Is the open appliance of `t` read-only (undefined when none is open)? */
  isReadonly(t: DiskTarget): boolean | undefined {
    return this.pool.peek(targetKey(t))?.readonly;
  }

  /** lstat of a guest path, with the link target and its type for a symbolic link. */
  stat(t: DiskTarget, path: string, signal?: AbortSignal, side: 'm' | 'b' = 'm'): Promise<StatResult> {
    return this.run(t, { signal, base: side === 'b' }, (h) => h.call('stat', { path, side }) as Promise<StatResult>);
  }

  /** A folder's entries; `side` b lists the template's image a clone is compared with. */
  readdir(t: DiskTarget, path: string, signal?: AbortSignal, side: 'm' | 'b' = 'm'): Promise<DirEntry[]> {
    return this.run(t, { signal, base: side === 'b' }, (h) => h.call('readdir', { path, side }) as Promise<DirEntry[]>);
  }

  /** A file's bytes (refused above `limit` bytes). `side` b reads the template's image a clone is compared with. */
  async readFile(t: DiskTarget, path: string, o: { limit?: number; side?: 'm' | 'b'; signal?: AbortSignal } = {}): Promise<Buffer> {
    const b64 = await this.run(t, { base: o.side === 'b', signal: o.signal }, (h) => h.call('read', { path, side: o.side ?? 'm', ...(o.limit ? { limit: o.limit } : {}) }) as Promise<string>);
    return Buffer.from(b64, 'base64');
  }

  /** Writes a file of a clone that is off (refused otherwise, saying why). */
  writeFile(t: DiskTarget, path: string, data: Uint8Array, o: { create: boolean; overwrite: boolean; signal?: AbortSignal }): Promise<void> {
    const req = { path, data: Buffer.from(data).toString('base64'), create: o.create, overwrite: o.overwrite };
    return this.run(t, { write: true, signal: o.signal }, async (h) => void (await h.call('write', req)));
  }

  mkdir(t: DiskTarget, path: string, signal?: AbortSignal): Promise<void> {
    return this.run(t, { write: true, signal }, async (h) => void (await h.call('mkdir', { path })));
  }

  delete(t: DiskTarget, path: string, recursive: boolean, signal?: AbortSignal): Promise<void> {
    return this.run(t, { write: true, signal }, async (h) => void (await h.call('delete', { path, recursive })));
  }

  rename(t: DiskTarget, from: string, to: string, overwrite: boolean, signal?: AbortSignal): Promise<void> {
    return this.run(t, { write: true, signal }, async (h) => void (await h.call('rename', { from, to, overwrite })));
  }

  /** Copies a local file or folder (recursively, keeping modes) into a guest folder of a clone that is off. */
  copyIn(t: DiskTarget, local: string, guestDir: string, signal?: AbortSignal): Promise<void> {
    return this.run(t, { write: true, signal, cancelEnds: true }, async (h) => void (await h.call('copyIn', { local, dir: guestDir })));
  }

  /**
   * Copies a guest file or folder (recursively) into a local folder. What it would write over (the local file or
   * folder of the same name; for the guest's `/`, a folder that is not empty) is refused (LocalExistsError) unless
   * `overwrite`.
   */
  async copyOut(t: DiskTarget, guestPath: string, localDir: string, signal?: AbortSignal, o: { overwrite?: boolean } = {}): Promise<void> {
    if (!o.overwrite) {
      const name = path.posix.basename(guestPath.replace(/\/+$/, ''));
      const target = name ? path.join(localDir, name) : localDir;
      const there = name ? fs.lstatSync(target, { throwIfNoEntry: false }) !== undefined : fs.readdirSync(localDir).length > 0;
      if (there) throw new LocalExistsError(target);
    }
    return this.run(t, { signal, cancelEnds: true }, async (h) => void (await h.call('copyOut', { path: guestPath, local: localDir })));
  }

  /**
   * Did the clone write anything at all? Read from its overlays' allocation map (qemu-img map, tens of ms), before
   * any appliance: an overlay with no cluster of its own is identical to its template.
   */
  async overlayChanged(t: DiskTarget, signal?: AbortSignal): Promise<boolean> {
    const { disks } = await this.clone(t, signal);
    for (const d of disks) {
      const { stdout } = await qemuImg(['map', '-U', '--output=json', d], signal);
      const map = JSON.parse(stdout) as { depth: number }[];
      if (map.some((e) => e.depth === 0)) return true;
    }
    return false;
  }

  /**
   * What the clone added, changed and deleted relative to the image it was made on: both attached read-only to one
   * appliance, walked, compared by metadata, then by content where the metadata cannot tell. Cancellable.
   */
  async diff(t: DiskTarget, o: { signal?: AbortSignal; onProgress?: (p: DiffProgress) => void } = {}): Promise<Change[]> {
    if (t.clone === 'template') throw new UsageError('A template has nothing to compare with: compare one of its clones.');
    const { signal, onProgress } = o;
    onProgress?.({ message: 'Reading the overlay map' });
    if (!(await this.overlayChanged(t, signal))) return [];
    const check = () => {
      if (signal?.aborted) throw new CancelledError();
    };
    onProgress?.({ message: 'Starting the appliance (15-20 s)' });
    const onAbort = () => void this.pool.close(targetKey(t));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.run(t, { base: true, signal }, async (h) => {
        check();
        onProgress?.({ message: 'Walking the template', percent: 5 });
        const base = toEntries((await h.call('walk', { side: 'b' })) as WalkRow[]);
        check();
        onProgress?.({ message: 'Walking the clone', percent: 30 });
        const mine = toEntries((await h.call('walk', { side: 'm' })) as WalkRow[]);
        check();
        const meta = diffMetadata(base, mine);
        const equal: boolean[] = [];
        const step = 200;
        for (let i = 0; i < meta.candidates.length; i += step) {
          check();
          onProgress?.({ message: `Comparing content (${i}/${meta.candidates.length} files)`, percent: 55 + Math.round((40 * i) / meta.candidates.length) });
          equal.push(...((await h.call('equal', { paths: meta.candidates.slice(i, i + step) })) as boolean[]));
        }
        return withContent(meta, equal);
      });
    } catch (e) {
      if (signal?.aborted) throw new CancelledError();
      throw e as Qq2Error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the appliance of `t` (writes synced), if open. */
  close(t: DiskTarget): Promise<void> {
    return this.pool.close(targetKey(t));
  }

  dispose(): Promise<void> {
    return this.pool.dispose();
  }
}

type WalkRow = [string, number, number, number, string | null];

function toEntries(rows: readonly WalkRow[]): TreeEntry[] {
  return rows.map(([path, mode, size, mtime, target]) => ({ path, mode, size, mtime, target }));
}
