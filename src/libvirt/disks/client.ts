/**
 * One libguestfs appliance, driven by helper.py (python3-guestfs) over stdio in JSON lines: one request per line,
 * one reply per line, answered in order; a failed call is answered with its error and the session goes on.
 * The helper is run by /usr/bin/python3 (the binding is not importable from other Pythons on PATH), with the
 * direct backend under TCG (KVM aborts or hangs the appliance on these machines; the libvirt backend changes image
 * ownership). Its temporary files go to a folder of its own, removed with the libguestfs socket folders it made.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, type Qq2Error } from '../../core/errors';
import { guestfsError, type HelperFailure } from './errors';

export const PYTHON = '/usr/bin/python3';

/** A disk image given to the appliance: `m` is the disk set browsed, `b` the base it is compared with. */
export interface Drive {
  readonly path: string;
  readonly side: 'm' | 'b';
  readonly format: string;
}

export interface Mounted {
  readonly mountpoint: string;
  readonly device: string;
  readonly type: string;
}

export interface SideLayout {
  readonly layout: readonly Mounted[];
  /** Encrypted filesystems that were left out. */
  readonly encrypted: readonly string[];
}

export interface LaunchResult {
  readonly sockdirs: readonly string[];
  readonly sides: { readonly m: SideLayout; readonly b?: SideLayout };
}

/** Is `pid` still a QEMU process (a pid reused by another program is left alone)? */
function isQemu(pid: number): boolean {
  try {
    return /qemu/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits until none of these QEMU processes exists, at most `ms`. */
async function waitGone(pids: readonly number[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (pids.some(isQemu) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

/** Where helper.py is: next to the bundle (dist/guestfs-helper.py) or next to this file (src/, tests). */
export function helperScript(): string {
  const bundled = path.join(__dirname, 'guestfs-helper.py');
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, 'helper.py');
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Qq2Error): void;
}

export class GuestfsHelper {
  private readonly proc: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private buf = '';
  private stderr = '';
  private ended = false;
  private sockdirs: readonly string[] = [];
  /** The appliance's QEMU: its image locks hold until it is gone. */
  private pids: readonly number[] = [];
  private readonly exited: Promise<void>;
  layout: LaunchResult | undefined;

  private constructor(
    readonly what: string,
    private readonly tmp: string,
  ) {
    const cache = process.env['LIBGUESTFS_CACHEDIR'] ?? process.env['TMPDIR'] ?? '/var/tmp';
    this.proc = spawn(PYTHON, [helperScript()], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/root',
        LC_ALL: 'C',
        LIBGUESTFS_BACKEND: 'direct',
        LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg',
        LIBGUESTFS_CACHEDIR: cache,
        TMPDIR: tmp,
        // Where the time goes (launch, and per clone mount, write, unmount), on stderr: benches and diagnosis.
        ...(process.env['QQ2CLONE_GUESTFS_TIMES'] ? { QQ2CLONE_GUESTFS_TIMES: '1' } : {}),
      },
    });
    this.proc.stdout!.setEncoding('utf8');
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stdout!.on('data', (d: string) => this.onData(d));
    this.proc.stderr!.on('data', (d: string) => {
      if (process.env['QQ2CLONE_GUESTFS_TIMES']) for (const l of d.split('\n')) if (l.startsWith('times: ')) process.stderr.write(`${l}\n`);
      this.stderr = (this.stderr + d).slice(-20000);
    });
    this.proc.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.proc.on('error', (e: NodeJS.ErrnoException) => {
        this.finish(e.code === 'ENOENT' ? { error: `${PYTHON} not found`, kind: 'missing' } : { error: e.message });
        resolve();
      });
      this.proc.on('close', () => {
        this.finish({ error: `the libguestfs helper ended${this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-3).join(' ')}` : ''}` });
        resolve();
      });
    });
  }

  /**
   * Starts an appliance on these drives and mounts their filesystems (15-18 s under TCG). Aborting the signal kills
   * the launch and removes what it made.
   */
  static async launch(what: string, drives: readonly Drive[], readonly: boolean, signal?: AbortSignal): Promise<GuestfsHelper> {
    const { helper, result } = await GuestfsHelper.start<LaunchResult>(what, 'launch', { drives, readonly }, signal);
    helper.layout = result;
    return helper;
  }

  /**
   * Starts one appliance on many disk sets (a batch of clones), read-write. Nothing is mounted yet: an operation on
   * group i (`identity`) mounts it under /g<i> and unmounts it when done. Cancelled like launch.
   */
  static async launchGroups(what: string, groups: readonly (readonly Drive[])[], signal?: AbortSignal): Promise<GuestfsHelper> {
    const { helper } = await GuestfsHelper.start<{ sockdirs: string[] }>(what, 'launchGroups', { groups: groups.map((drives) => ({ drives })) }, signal);
    return helper;
  }

  private static async start<R extends { sockdirs: readonly string[]; pids?: readonly number[] }>(what: string, op: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<{ helper: GuestfsHelper; result: R }> {
    if (signal?.aborted) throw new CancelledError();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-guestfs-'));
    const h = new GuestfsHelper(what, tmp);
    const onAbort = () => void h.close(true);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const r = (await h.call(op, args)) as R;
      h.sockdirs = r.sockdirs;
      h.pids = r.pids ?? [];
      return { helper: h, result: r };
    } catch (e) {
      // A failed launch is closed normally: the helper closes the handle and libguestfs removes its socket folder.
      await h.close(signal?.aborted === true);
      if (signal?.aborted) throw new CancelledError();
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** Calls one operation of the helper; rejects with a typed error when it fails. */
  call(op: string, args: Record<string, unknown> = {}): Promise<unknown> {
    if (this.ended) return Promise.reject(guestfsError({ error: 'the libguestfs appliance has been closed' }, this.what));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (!line.trim()) continue;
      let msg: { id: number; ok?: unknown } & Partial<HelperFailure>;
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        continue;
      }
      if (msg.id === 0 && msg.error) {
        this.finish(msg as HelperFailure);
        continue;
      }
      const p = this.pending.get(msg.id);
      if (!p) continue;
      this.pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(guestfsError(msg as HelperFailure, this.what));
      else p.resolve(msg.ok);
    }
  }

  private finish(f: HelperFailure): void {
    if (this.ended) return;
    this.ended = true;
    for (const p of this.pending.values()) p.reject(guestfsError(f, this.what));
    this.pending.clear();
  }

  /**
   * Ends the appliance: stdin is closed so the helper shuts it down cleanly (syncing writes); `force` (cancel) sends
   * SIGTERM, on which the helper stops QEMU and removes its socket folder. Killed after 10 s either way; then the
   * socket folders and temporary files left behind are removed.
   */
  async close(force = false): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      if (force) this.proc.kill('SIGTERM');
      else this.proc.stdin!.end();
      // A clean shutdown flushes the disks; on a loaded machine it can take a while.
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), force ? 10000 : 60000);
      await this.exited;
      clearTimeout(timer);
    }
    // The appliance's QEMU outlives a helper that was killed: its image locks hold until it is gone. The disks were
    // synced after every write, so after a grace period it is killed.
    await waitGone(this.pids, force ? 2000 : 30000);
    for (const pid of this.pids) if (isQemu(pid)) process.kill(pid, 'SIGKILL');
    await waitGone(this.pids, 10000);
    this.finish({ error: 'the libguestfs appliance has been closed' });
    for (const d of this.sockdirs) fs.rmSync(d, { recursive: true, force: true });
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
