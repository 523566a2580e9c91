/**
 * One long-lived `virsh -q -c URI` process that runs commands one after another. virsh echoes every input line as
 * `virsh # <line>`, has no exit status per command and reports failures as `error: ` lines on stderr, so each
 * command is followed by `echo __Q2C<nonce>''_N__` (prints `__Q2C<nonce>_N__`, unlike its echo) and
 * `echo --err __Q2C<nonce>''_N__` (marks the end of that command's stderr). The nonce is random per session and
 * never leaves this process and virsh's pipes, so no domain data (a description, a name) can contain a marker.
 * Commands may be written ahead (pipelined); replies come back in order.
 *
 * Cancelling a command ends that command only: its caller hears CancelledError at once; when the command is the one
 * virsh is running, the process is killed (virsh cannot interrupt a command) and the other callers' commands that
 * virsh had not begun fail with NotBegunError, which the pool answers by running them on another session.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CancelledError, LibvirtError, type Qq2Error } from '../../core/errors';
import { mapFailure, noteCallDuration } from '../process';
import { virshLine } from './quote';
import { metaEscapedEcho } from './inputrc';
import { spawnSessionProcess, takePrestarted } from './sessionProcess';

interface Pending {
  readonly n: number;
  readonly line: string;
  readonly args: readonly string[];
  readonly signal: AbortSignal | undefined;
  /** When it was written (performance.now()): with the previous reply's time, how long virsh took on it. */
  readonly queuedAt: number;
  /** Its caller cancelled it: its reply, if any comes, is dropped. */
  cancelled: boolean;
  resolve(stdout: string): void;
  reject(e: Qq2Error): void;
}

/** Thrown when the session process ended before answering (the command may or may not have run). */
export class SessionEndedError extends LibvirtError {}

/** The session ended before virsh began this command (another caller's cancel ended it): safe to run elsewhere. */
export class NotBegunError extends SessionEndedError {}

/** How many unsolicited lines a session keeps (the newest): it may live for days. */
export const UNSOLICITED_KEPT = 100;

const PROMPT = 'virsh [#>$] ';
/** Output that arrives while no command waits (virsh talking on its own) is kept up to this many characters. */
const MAX_IDLE_TEXT = 64 * 1024;

export class VirshSession {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private starting: Promise<{ readonly p: ChildProcessWithoutNullStreams }> | undefined;
  private out = '';
  private err = '';
  private next = 1;
  private readonly queue: Pending[] = [];
  private ended = false;
  /** Random per session: the reply markers contain it, so domain data cannot. */
  private readonly nonce = randomBytes(12).toString('hex');
  /** The newest lines virsh printed on its own (e.g. "Disconnected from ... due to end of file"), at most UNSOLICITED_KEPT. */
  readonly unsolicited: string[] = [];

  constructor(
    readonly uri: string,
    private readonly onEnd?: (session: VirshSession, stderr: string) => void,
    private readonly onUnsolicited?: (line: string) => void,
  ) {}

  /** Commands written and not yet answered. */
  get load(): number {
    return this.queue.length;
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** Starts the process now rather than at the first command (it connects meanwhile). */
  open(): void {
    // A failure to start is reported to the first command (run).
    if (!this.ended) this.start().catch(() => undefined);
  }

  private start(): Promise<{ readonly p: ChildProcessWithoutNullStreams }> {
    this.starting ??= new Promise((resolve) => resolve({ p: this.spawn() }));
    return this.starting;
  }

  /**
   * Node's own spawn, not execa (which the one-shot runner uses): a session needs only its three pipes, and the CLI,
   * which starts up to six sessions per run, then loads no execa for list or rm and pays no per-process option
   * handling (measured: about 125 ms of rm 100's main thread on a loaded machine, and 225 KB of code to load).
   * A process the CLI started early for this connection is taken when there is one (sessionProcess.ts).
   */
  private spawn(): ChildProcessWithoutNullStreams {
    const p = takePrestarted(this.uri) ?? spawnSessionProcess(this.uri);
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      this.out += d;
      this.drain();
    });
    p.stderr.on('data', (d: string) => {
      this.err += d;
      this.drain();
    });
    p.stdin.on('error', () => undefined);
    // Not started (virsh missing: ENOENT): 'error' comes first, and finish() counts only the first end.
    p.on('error', (e: NodeJS.ErrnoException) => this.finish(e.code === 'ENOENT' ? 'ENOENT' : undefined, undefined, e.code === 'ENOENT' ? '' : String(e)));
    p.on('close', (code: number | null) => this.finish(undefined, code ?? undefined));
    this.proc = p;
    return p;
  }

  private finish(code: string | undefined, exitCode: number | undefined, extra = ''): void {
    if (this.ended) return;
    this.ended = true;
    const stderr = this.err + extra;
    const pending = this.queue.splice(0);
    pending.forEach((q, i) => {
      if (q.cancelled) return;
      // virsh runs one command at a time: after a cut, only the first one had begun.
      if (this.cut && i > 0) {
        q.reject(new NotBegunError('The virsh session was ended by another command\'s cancel before this command began.'));
        return;
      }
      const mapped = mapFailure({
        program: 'virsh',
        args: ['-c', this.uri, ...q.args],
        stderr,
        uri: this.uri,
        ...(code ? { code } : {}),
        ...(exitCode !== undefined ? { exitCode } : {}),
      });
      q.reject(
        mapped instanceof LibvirtError && !stderr.trim()
          ? new SessionEndedError('The virsh session ended before answering.', mapped.failure)
          : mapped,
      );
    });
    this.onEnd?.(this, stderr);
  }

  /** Runs one command (an argument array); resolves with its stdout, rejects with a typed error. */
  run(args: readonly string[], signal?: AbortSignal): Promise<string> {
    let line: string;
    try {
      line = virshLine(args);
    } catch (e) {
      return Promise.reject(e as Qq2Error);
    }
    if (signal?.aborted) return Promise.reject(new CancelledError());
    if (this.ended) return Promise.reject(new SessionEndedError('The virsh session has ended.'));
    const n = this.next++;
    return new Promise<string>((resolve, reject) => {
      const done = this.watch(signal);
      let settled = false;
      this.queue.push({
        n,
        line,
        args,
        signal,
        queuedAt: performance.now(),
        cancelled: false,
        resolve: (s) => {
          if (settled) return;
          settled = true;
          done();
          resolve(s);
        },
        reject: (e) => {
          if (settled) return;
          settled = true;
          done();
          reject(signal?.aborted ? new CancelledError() : e);
        },
      });
      const text = `${line}\necho __Q2C${this.nonce}''_${n}__\necho --err __Q2C${this.nonce}''_${n}__\n`;
      this.start().then(
        ({ p }) => {
          if (!this.ended) p.stdin?.write(text);
        },
        (e: unknown) => this.finish(undefined, undefined, String(e)),
      );
    });
  }

  /** Signals of queued commands, with how many use each: one abort listener per signal, not one per command. */
  private readonly signals = new Map<AbortSignal, { count: number; onAbort: () => void }>();

  /** Set when the session was killed to end a cancelled command that virsh was running. */
  private cut = false;

  /**
   * The commands of `signal` are cancelled: their callers hear it now; if virsh is running one of them, the
   * process is killed (the others' commands not yet begun go elsewhere, see finish). A cancelled command still
   * waiting behind another caller's is cut when its turn comes (drain).
   */
  private abort(signal: AbortSignal): void {
    for (const q of this.queue) {
      if (q.signal !== signal || q.cancelled) continue;
      q.cancelled = true;
      q.reject(new CancelledError());
    }
    this.cutIfRunningCancelled();
  }

  private cutIfRunningCancelled(): void {
    if (!this.ended && this.queue[0]?.cancelled) {
      this.cut = true;
      this.kill();
    }
  }

  /** Watches `signal` while a command uses it. */
  private watch(signal: AbortSignal | undefined): () => void {
    if (!signal) return () => undefined;
    let w = this.signals.get(signal);
    if (!w) {
      w = { count: 0, onAbort: () => this.abort(signal) };
      signal.addEventListener('abort', w.onAbort, { once: true });
      this.signals.set(signal, w);
    }
    w.count++;
    const entry = w;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--entry.count === 0) {
        signal.removeEventListener('abort', entry.onAbort);
        this.signals.delete(signal);
      }
    };
  }

  /** When the last reply came (performance.now()). */
  private lastReplyAt = 0;

  private drain(): void {
    while (this.queue.length && !this.ended) {
      const q = this.queue[0]!;
      const mark = `__Q2C${this.nonce}_${q.n}__`;
      const oi = this.out.indexOf(mark);
      const ei = this.err.indexOf(`${mark}\n`);
      if (oi < 0 || ei < 0) return;
      const stdoutPart = this.out.slice(0, oi);
      this.out = this.out.slice(oi + mark.length);
      const errLineStart = this.err.lastIndexOf('\n', ei) + 1;
      const stderrPart = this.takeUnsolicited(this.err.slice(0, errLineStart));
      this.err = this.err.slice(ei + mark.length + 1);
      this.queue.shift();
      // Commands run one after another: this one began when it was written or when the one before it answered.
      const now = performance.now();
      noteCallDuration('virsh', q.args, now - Math.max(q.queuedAt, this.lastReplyAt));
      this.lastReplyAt = now;
      const stdout = this.cleanStdout(stdoutPart, q);
      if (/^error: /m.test(stderrPart)) {
        q.reject(mapFailure({ program: 'virsh', args: ['-c', this.uri, ...q.args], stderr: stderrPart, uri: this.uri }));
      } else {
        q.resolve(stdout);
      }
      // The next command has begun: if its caller cancelled it meanwhile, end it now.
      this.cutIfRunningCancelled();
    }
    // Whatever is left belongs to no command yet: a session that lives for days must not keep growing it.
    if (!this.queue.length && this.out.length > MAX_IDLE_TEXT) this.out = this.out.slice(-MAX_IDLE_TEXT);
    if (!this.queue.length && this.err.length > MAX_IDLE_TEXT) this.err = this.err.slice(-MAX_IDLE_TEXT);
  }

  private noteUnsolicited(line: string): void {
    this.unsolicited.push(line);
    if (this.unsolicited.length > UNSOLICITED_KEPT) this.unsolicited.splice(0, this.unsolicited.length - UNSOLICITED_KEPT);
    this.onUnsolicited?.(line);
  }

  /**
   * Lines like "error: Disconnected from qemu:///system due to end of file" belong to no command, and so does
   * "error: Reconnected to the hypervisor", which virsh prints before running the next command on a fresh
   * connection after libvirtd came back: that command itself succeeds.
   */
  private takeUnsolicited(stderr: string): string {
    return stderr
      .split(/(?<=\n)/)
      .filter((l) => {
        if (!/^error: (Disconnected from |Reconnected to the hypervisor)/.test(l)) return true;
        this.noteUnsolicited(l.trim());
        return false;
      })
      .join('');
  }

  /** Removes the prompt echoes around a reply; anything before the command's echo is unsolicited output. */
  private cleanStdout(part: string, q: Pending): string {
    let s = part;
    const tail = new RegExp(`${PROMPT}echo __Q2C${this.nonce}''_${q.n}__\\n$`);
    const t = tail.exec(s);
    if (t) s = s.slice(0, t.index);
    // The command's echo: the first line that is a prompt followed by exactly the line written (compared as text:
    // a line can be far longer than a regular expression may be).
    // A line with non-ASCII text is echoed as itself (our inputrc), or octal-escaped when readline ignored it.
    const prompt = new RegExp(`^${PROMPT}`);
    const echoes = [q.line, ...(/[^\x00-\x7f]/.test(q.line) ? [metaEscapedEcho(q.line)] : [])];
    for (let pos = 0, end = s.indexOf('\n'); end >= 0; pos = end + 1, end = s.indexOf('\n', pos)) {
      const m = prompt.exec(s.slice(pos, pos + 16));
      const at = pos + (m?.[0].length ?? 0);
      if (!m || !echoes.some((e) => end - at === e.length && s.startsWith(e, at))) continue;
      for (const l of s.slice(0, pos).split('\n')) {
        if (l && !prompt.test(l)) this.noteUnsolicited(l);
      }
      return s.slice(end + 1);
    }
    return s;
  }

  /** Ends the session: pending commands fail. */
  kill(): void {
    if (this.ended) return;
    if (this.proc) this.proc.kill('SIGKILL');
    else if (this.starting) void this.starting.then(({ p }) => p.kill('SIGKILL'));
    else this.finish(undefined, undefined);
  }

  /** Ends the session politely (quit), killing it if it does not go. */
  close(): void {
    if (this.ended) return;
    if (!this.proc) {
      this.kill();
      return;
    }
    try {
      this.proc.stdin?.end("quit\n");
    } catch {
      /* already gone */
    }
    const p = this.proc;
    setTimeout(() => {
      if (!this.ended) p.kill('SIGKILL');
    }, 1000).unref();
  }
}
