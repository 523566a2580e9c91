/**
 * A small pool of virsh sessions for one connection: quick commands share the least-busy session, slow ones
 * (start, destroy, managedsave) spread over up to `size` sessions. Sessions that end are replaced on next use;
 * read-only commands whose session ended before answering are retried once.
 */
import { VirshSession, SessionEndedError } from './session';

/** Commands that only read: safe to send again if the session ended before answering. */
const READ_ONLY = new Set([
  'list', 'domstats', 'dumpxml', 'domstate', 'domuuid', 'domname', 'metadata', 'pool-dumpxml', 'pool-list',
  'uri', 'version', 'echo', 'domblklist', 'dominfo', 'pool-info', 'vol-list', 'nodeinfo', 'capabilities',
]);

export class SessionPool {
  private sessions: VirshSession[] = [];
  private disposed = false;

  constructor(
    readonly uri: string,
    readonly size = 4,
    private readonly onUnsolicited?: (line: string) => void,
  ) {}

  /** How many sessions are open (for tests and figures). */
  get open(): number {
    return this.sessions.length;
  }

  private pick(): VirshSession {
    let best: VirshSession | undefined;
    for (const s of this.sessions) if (!best || s.load < best.load) best = s;
    if (best && (best.load === 0 || this.sessions.length >= this.size)) return best;
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

  /** Runs one virsh command through a session; returns its stdout. */
  async run(args: readonly string[], signal?: AbortSignal): Promise<string> {
    if (this.disposed) throw new SessionEndedError('The libvirt service has been disposed.');
    try {
      return await this.pick().run(args, signal);
    } catch (e) {
      if (e instanceof SessionEndedError && READ_ONLY.has(args[0] ?? '') && !signal?.aborted && !this.disposed)
        return this.pick().run(args, signal);
      throw e;
    }
  }

  /** Runs several quick commands on one session, written at once (one round trip); results in order. */
  batch(commands: readonly (readonly string[])[], signal?: AbortSignal): Promise<PromiseSettledResult<string>[]> {
    if (this.disposed) return Promise.reject(new SessionEndedError('The libvirt service has been disposed.'));
    const s = this.pick();
    return Promise.allSettled(commands.map((c) => s.run(c, signal)));
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.sessions) s.close();
    this.sessions = [];
  }
}
