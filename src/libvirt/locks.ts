/**
 * Locks on clones and templates that hold across processes: the extension, several CLI runs and the extension
 * together all see them. A lock is first queued for inside this process (waiters do not poll), then taken on disk
 * with proper-lockfile (an atomic mkdir of `<key>.lock`, its mtime refreshed while held: a lock left by a process
 * that died is taken over once stale). The lock files live in the product's state directory, <home>/locks, one
 * folder per libvirt connection: every process that resolves the same home (QQ2CLONE_HOME, else
 * ~/storage-qq2clone) and talks to the same connection shares them.
 *
 * Order, so that two holders never wait for each other: template locks before clone locks, and several locks of
 * one kind in sorted order (withLocks). Locks are not re-entrant: work under a key must not take the same key.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { CancelledError, PermissionError } from '../core/errors';

/** A held lock on disk is refreshed this often; one not refreshed for STALE_MS is taken over. */
const STALE_MS = 20_000;
const UPDATE_MS = 4_000;

/** The key of a template's lock (its clone numbers, its file, its staging clone). */
export function templateKey(name: string): string {
  return `template-${encodeURIComponent(name)}`;
}

/** The key of a clone's lock (by UUID, libvirt's identity of the domain). */
export function cloneKey(uuid: string): string {
  return `clone-${uuid.toLowerCase()}`;
}

/** The folder of the lock files of one connection under the tool's home. */
export function lockDir(home: string, uri: string): string {
  return path.join(home, 'locks', createHash('sha256').update(uri).digest('hex').slice(0, 16));
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class Locks {
  private readonly tails = new Map<string, Promise<void>>();
  private made: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  /** Runs `work` holding the lock `key`, in this process and on disk. Waiting ends with CancelledError on abort. */
  async with<T>(key: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    try {
      await before;
      const unlock = await this.acquire(key, signal);
      try {
        return await work();
      } finally {
        await unlock();
      }
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Runs `work` holding all these locks, taken in sorted order (duplicates once). */
  withAll<T>(keys: readonly string[], work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const step = (i: number): Promise<T> => (i === sorted.length ? work() : this.with(sorted[i]!, () => step(i + 1), signal));
    return step(0);
  }

  private async acquire(key: string, signal?: AbortSignal): Promise<() => Promise<void>> {
    this.made ??= fs.mkdir(this.dir, { recursive: true }).then(() => undefined);
    await this.made.catch((e: unknown) => {
      this.made = undefined;
      throw new PermissionError(`Cannot make the lock folder ${this.dir}: ${(e as Error).message}. The tool's home must be writable.`);
    });
    const file = path.join(this.dir, key);
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      if (signal?.aborted) throw new CancelledError();
      try {
        const unlock = await lockfile.lock(file, {
          realpath: false,
          stale: STALE_MS,
          update: UPDATE_MS,
          // A lock taken over while held (the process stalled past STALE_MS) cannot be made good afterwards: the
          // work goes on, its release is then a no-op.
          onCompromised: () => undefined,
        });
        return () => unlock().catch(() => undefined);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      }
      await sleep(wait + Math.floor(Math.random() * wait), signal);
    }
  }
}
