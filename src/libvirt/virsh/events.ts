/**
 * One long-lived `virsh event --loop --all` per connection. When it dies (daemon restart: "Disconnected ... end of
 * file"), listeners hear about the lost connection and the stream is restarted with backoff once the daemon answers.
 */
import type { ResultPromise } from 'execa';
import { LibvirtUnavailableError, type Qq2Error } from '../../core/errors';
import type { DomainEvent } from '../api';
import { loadExeca } from '../process';
import { FAILURE_HINTS, mapFailure } from '../process';
import { parseEventLine } from './parse';
import { transportUri } from '../../core/connectionUri';

/** How much of the event stream's stderr is kept. */
const ERR_KEPT = 8 * 1024;

export class EventStream {
  private proc: ResultPromise | undefined;
  private stopped = false;
  private backoff = 250;
  private timer: NodeJS.Timeout | undefined;
  /** Increments whenever the stream (re)starts: caches filled under an older epoch may have missed events. */
  epoch = 0;
  running = false;

  constructor(
    private readonly uri: string,
    private readonly emit: (e: DomainEvent & { type: string }) => void,
    private readonly connection: (problem: Qq2Error | undefined) => void,
    /** Checks that the daemon answers (used before restarting). */
    private readonly probe: () => Promise<void>,
  ) {}

  private started = false;

  /** Starts the stream once (later calls do nothing). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.spawn();
  }

  private async spawn(): Promise<void> {
    const { execa } = await loadExeca();
    if (this.stopped) return;
    const p = execa('virsh', ['-q', '-c', transportUri(this.uri), 'event', '--loop', '--all'], {
      stdin: 'ignore',
      buffer: false,
      reject: false,
      env: { LC_ALL: 'C' },
    });
    this.proc = p;
    this.epoch++;
    this.running = true;
    let rest = '';
    let err = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      rest += d;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        const e = parseEventLine(line);
        if (e) this.emit({ domain: e.domain, event: e.event, detail: e.detail, type: e.type });
      }
      this.backoff = 250;
    });
    // Only its end is ever shown (the last line, in the lost-connection message): a stream that lives for days keeps
    // at most ERR_KEPT characters of it.
    p.stderr.on('data', (d: string) => (err = (err + d).slice(-ERR_KEPT)));
    const r = await p;
    this.proc = undefined;
    this.running = false;
    if (this.stopped) return;
    const problem =
      r.exitCode === undefined && (r as { code?: string }).code === 'ENOENT'
        ? mapFailure({ program: 'virsh', args: ['event'], code: 'ENOENT' })
        : new LibvirtUnavailableError(
            `Lost the connection to libvirt at ${this.uri}${err.trim() ? `: ${err.trim().split('\n').pop()}` : '.'}`,
            'daemon-down',
            FAILURE_HINTS.daemonDown(this.uri),
            { command: 'virsh event --loop --all', ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}), stderr: err },
          );
    this.connection(problem);
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.probe().then(
        () => {
          this.connection(undefined);
          void this.spawn();
        },
        () => {
          this.backoff = Math.min(this.backoff * 2, 10_000);
          this.retry();
        },
      );
    }, this.backoff);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.proc?.kill('SIGTERM');
    this.running = false;
  }
}
