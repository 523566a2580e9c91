/**
 * Locks on clones and templates that hold across processes: the extension, several CLI runs and the extension
 * together all see them. A lock is first queued for inside this process (waiters do not poll), then taken on disk
 * with proper-lockfile (an atomic mkdir of `<key>.lock`, its mtime refreshed while held: a lock left by a process
 * that died is taken over once stale). The lock files live in one folder per libvirt connection under
 * /run/lock/qq2clone (lockDir): every process that talks to the same connection shares them, whatever its user or
 * home, the hook's worker included; a per-user connection (qemu:///session) has one folder per user.
 *
 * Order, so that two holders never wait for each other: template locks before clone locks, and several locks of
 * one kind in sorted order (withLocks). Locks are not re-entrant: work under a key must not take the same key.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { CancelledError, PermissionError } from '../../core/errors';

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

/**
 * The folder of the lock files of one connection, shared by every user of it and by the hook's worker:
 * <root>/<hash of the URI> (of the URI and the user for qemu:///session, which is each user's own daemon), where
 * root is $QQ2CLONE_LOCK_ROOT, else /run/lock/qq2clone (the temporary folder where there is no /run/lock).
 */
export function lockDir(uri: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = env.QQ2CLONE_LOCK_ROOT || path.join(existsSync('/run/lock') ? '/run/lock' : os.tmpdir(), 'qq2clone');
  const perUser = /^[a-z0-9+]+:\/\/[^/]*\/session\b/.test(uri) ? `\n${process.getuid?.() ?? os.userInfo().username}` : '';
  return path.join(root, createHash('sha256').update(uri + perUser).digest('hex').slice(0, 16));
}

/**
 * Makes a folder every user may add locks to (mode 1777: sticky, so that only its owner removes an entry) when it
 * is missing; an existing one must be a real folder (no link), sticky when others may write it.
 */
async function sharedDir(dir: string): Promise<void> {
  const made = await fs.mkdir(dir, { mode: 0o1777 }).then(() => true, (e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? false : Promise.reject(e)));
  if (made) await fs.chmod(dir, 0o1777);
  const st = await fs.lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder (a link?)`);
  if ((st.mode & 0o002) !== 0 && (st.mode & 0o1000) === 0) throw new Error(`${dir} may be written by everyone but is not sticky (chmod +t)`);
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

type Unlock = () => Promise<void>;

export class Locks {
  private readonly tails = new Map<string, Promise<void>>();
  private made: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  /** Runs `work` holding the lock `key`, in this process and on disk. Waiting ends with CancelledError on abort. */
  with<T>(key: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.withAll([key], work, signal);
  }

  /** Runs `work` holding the locks of these clones (by UUID): the service's withCloneLock. */
  withCloneLock<T>(uuids: string | readonly string[], work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.withAll((typeof uuids === 'string' ? [uuids] : uuids).map(cloneKey), work, signal);
  }

  /**
   * Runs `work` holding all these locks (duplicates once). Inside this process they are queued for in sorted order;
   * on disk they are first tried all at once (the common case: nobody else holds any), and when one is held
   * elsewhere, taken one by one in sorted order, waiting for each.
   */
  async withAll<T>(keys: readonly string[], work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const leave: (() => void)[] = [];
    try {
      for (const k of sorted) leave.push(await this.queue(k, signal));
      const unlock = await this.lockAll(sorted, signal);
      try {
        return await work();
      } finally {
        await unlock();
      }
    } finally {
      for (const l of leave.reverse()) l();
    }
  }

  /** Waits for this process's earlier holders of `key`; resolves to the function that lets the next one in. */
  private async queue(key: string, signal?: AbortSignal): Promise<() => void> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    const leave = () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    if (!signal) {
      await before;
      return leave;
    }
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new CancelledError());
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      await Promise.race([before, aborted]);
    } catch (e) {
      leave(); // the next holder passes once those before have finished
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    return leave;
  }

  private async lockAll(keys: readonly string[], signal?: AbortSignal): Promise<Unlock> {
    if (!keys.length) return async () => undefined;
    await this.ensureDir();
    const tried = await Promise.allSettled(keys.map((k) => this.tryLock(k)));
    const got = tried.flatMap((t) => (t.status === 'fulfilled' && t.value ? [t.value] : []));
    const all = (unlocks: Unlock[]): Unlock => async () => void (await Promise.all(unlocks.map((u) => u())));
    if (got.length === keys.length) return all(got);
    await all(got)();
    const failed = tried.find((t): t is PromiseRejectedResult => t.status === 'rejected');
    if (failed) throw failed.reason;
    const held: Unlock[] = [];
    try {
      for (const k of keys) held.push(await this.acquire(k, signal));
    } catch (e) {
      await all(held)();
      throw e;
    }
    return all(held);
  }

  private async ensureDir(): Promise<void> {
    this.made ??= (async () => {
      await sharedDir(path.dirname(this.dir));
      await sharedDir(this.dir);
    })();
    await this.made.catch((e: unknown) => {
      this.made = undefined;
      throw new PermissionError(`Cannot use the lock folder ${this.dir}: ${(e as Error).message}. Every user of the connection makes its locks there: fix it or set QQ2CLONE_LOCK_ROOT.`);
    });
  }

  /** Takes the lock on disk if nobody holds it; undefined when someone does. */
  private async tryLock(key: string): Promise<Unlock | undefined> {
    try {
      const unlock = await lockfile.lock(path.join(this.dir, key), {
        realpath: false,
        stale: STALE_MS,
        update: UPDATE_MS,
        // A lock taken over while held (the process stalled past STALE_MS) cannot be made good afterwards: the
        // work goes on, its release is then a no-op.
        onCompromised: () => undefined,
      });
      return () => unlock().catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
      throw e;
    }
  }

  /** Takes the lock on disk, waiting (with a growing pause) while another process holds it. */
  private async acquire(key: string, signal?: AbortSignal): Promise<Unlock> {
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      if (signal?.aborted) throw new CancelledError();
      const unlock = await this.tryLock(key);
      if (unlock) return unlock;
      await sleep(wait + Math.floor(Math.random() * wait), signal);
    }
  }
}
