/**
 * A small pool of virsh sessions for one connection: quick commands share the least-busy session, slow ones
 * (start, destroy, managedsave) spread over up to `size` sessions. Sessions that end are replaced on next use;
 * read-only commands whose session ended before answering are retried once, and so is any command the session
 * had not begun (another caller's cancel ended it): a cancel ends its own work only.
 */
import { NotBegunError, VirshSession, SessionEndedError } from './session';

/** Commands that only read: safe to send again if the session ended before answering. */
const READ_ONLY = new Set([
  'list', 'domstats', 'dumpxml', 'domstate', 'domuuid', 'domname', 'metadata', 'pool-dumpxml', 'pool-list',
  'uri', 'version', 'echo', 'domblklist', 'dominfo', 'pool-info', 'vol-list', 'nodeinfo', 'capabilities', 'nodecpustats',
  'nodememstats',
]);

/** How many sessions a pool has unless told otherwise: also how many slow operations a batch runs at once. */
export const DEFAULT_POOL_SIZE = 6;

/** How many clones a clone batch makes at once unless told otherwise (each defines through a session of its own). */
export const DEFAULT_CLONE_CONCURRENCY = 4;

export class SessionPool {
  private sessions: VirshSession[] = [];
  private disposed = false;

  constructor(
    readonly uri: string,
    readonly size = DEFAULT_POOL_SIZE,
    private readonly onUnsolicited?: (line: string) => void,
  ) {}

  /** How many sessions are open (for tests and figures). */
  get open(): number {
    return this.sessions.length;
  }

  /** The least-busy session not in `exclude`; a new one while busy ones are all there is and the pool has room. */
  private pick(exclude: readonly VirshSession[] = []): VirshSession {
    let best: VirshSession | undefined;
    for (const s of this.sessions) if (!exclude.includes(s) && (!best || s.load < best.load)) best = s;
    if (best && (best.load === 0 || this.sessions.length >= this.size)) return best;
    return this.add();
  }

  private add(): VirshSession {
    const s = new VirshSession(
      this.uri,
      (dead) => {
        this.sessions = this.sessions.filter((x) => x !== dead);
      },
      this.onUnsolicited,
    );
    this.sessions.push(s);
    return s;
  }

  /**
   * Starts sessions now, up to `count` (at most the pool's size), so that work about to use that many at once does not
   * wait for them to connect: they connect while it does what comes first (locks, reads).
   */
  warm(count: number): void {
    if (this.disposed) return;
    while (this.sessions.length < Math.min(count, this.size)) this.add().open();
  }

  /** Runs one virsh command through a session; returns its stdout. */
  async run(args: readonly string[], signal?: AbortSignal): Promise<string> {
    if (this.disposed) throw new SessionEndedError('The libvirt service has been disposed.');
    return this.runOn(this.pick(), args, signal);
  }

  /** One command on `s`; once again on another session when `s` ended before answering and that is safe. */
  private async runOn(s: VirshSession, args: readonly string[], signal?: AbortSignal): Promise<string> {
    try {
      return await s.run(args, signal);
    } catch (e) {
      const again = e instanceof NotBegunError || (e instanceof SessionEndedError && READ_ONLY.has(args[0] ?? ''));
      if (again && !signal?.aborted && !this.disposed) return this.pick([s]).run(args, signal);
      throw e;
    }
  }

  /**
   * Runs several quick commands written at once (one round trip per session); results in order. With `spread` > 1
   * the commands are split in contiguous parts over that many sessions, which libvirtd serves in parallel.
   */
  async batch(
    commands: readonly (readonly string[])[],
    signal?: AbortSignal,
    spread = 1,
  ): Promise<PromiseSettledResult<string>[]> {
    if (this.disposed) throw new SessionEndedError('The libvirt service has been disposed.');
    const k = Math.max(1, Math.min(spread, this.size, commands.length));
    const sessions: VirshSession[] = [];
    for (let i = 0; i < k; i++) {
      const s = this.pick(sessions);
      sessions.push(s);
    }
    const per = Math.ceil(commands.length / k);
    const parts = sessions.map((s, i) =>
      Promise.allSettled(commands.slice(i * per, (i + 1) * per).map((c) => this.runOn(s, c, signal))),
    );
    return (await Promise.all(parts)).flat();
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.sessions) s.close();
    this.sessions = [];
  }
}
