/**
 * Graceful power on clones: Shut Down (the guest agent when one answers, else the ACPI power button: libvirt's
 * `--mode agent,acpi`), Reboot (likewise), Reset (QEMU resets the machine at once). Shut Down then waits, up to a
 * timeout, for each clone to be off, and reports those still running so the caller can offer Force Off.
 */
import { LibvirtError, asQq2Error } from '../../core/errors';
import { guestSkipReason } from '../../core/operations';
import type { CloneState } from '../../core/states';
import type { BatchResult, CloneRef, Disposable, LibvirtService, ProgressReport } from '../api';
import { actOnEachClone, underCloneLocks, uniqueClones } from '../clones';
import { virshVia } from '../serviceCore';

export type PowerOperation = 'shutdown' | 'reboot' | 'reset';

/** The virsh command of each power operation. */
export function powerArgs(op: PowerOperation, uuid: string): string[] {
  if (op === 'reset') return ['reset', uuid];
  return [op, uuid, '--mode', 'agent,acpi'];
}

const TEXT_STATES: Record<string, CloneState> = {
  running: 'running',
  idle: 'idle',
  blocked: 'idle',
  paused: 'paused',
  'in shutdown': 'in-shutdown',
  'shut off': 'off',
  crashed: 'crashed',
  pmsuspended: 'pmsuspended',
};

/** `domstate --reason`: "shut off (shutdown)" -> { state: 'off', reason: 'shutdown' }. */
export function parseDomstateReason(out: string): { state: CloneState; reason: string } {
  const m = /^\s*([a-z ]+?)\s*(?:\(([^)]*)\))?\s*$/.exec(out.trim().split('\n')[0] ?? '');
  const state = m ? TEXT_STATES[m[1]!] : undefined;
  if (!state) throw new LibvirtError(`Unexpected domain state from virsh: ${out.trim()}`);
  return { state, reason: m![2] ?? '' };
}

export interface PowerOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ProgressReport) => void;
  /** Shut Down: how long to wait for the clones to be off (default 60 s). */
  readonly timeoutMs?: number;
  /** Shut Down: how often to look at the states when no lifecycle event comes (default 5 s). */
  readonly pollMs?: number;
}

export interface PowerResult extends BatchResult {
  /** Shut Down: asked to shut down, still not off when the wait ended (timeout or cancel). */
  readonly stillRunning: readonly CloneRef[];
}

/** A clone's state now. */
export async function cloneState(svc: LibvirtService, uuid: string, signal?: AbortSignal): Promise<{ state: CloneState; reason: string }> {
  return parseDomstateReason(await virshVia(svc, ['domstate', uuid, '--reason'], signal));
}

/**
 * Runs a power operation on clones: states read first (clones it does not apply to are skipped with the reason),
 * requests sent under the clones' locks, bounded. Shut Down then waits for the clones to be off: those off are
 * done, the rest are stillRunning. Every clone lands in exactly one of done, skipped, failed, cancelled, stillRunning.
 */
export async function power(svc: LibvirtService, op: PowerOperation, clones: readonly CloneRef[], o: PowerOptions = {}): Promise<PowerResult> {
  const skipped: { clone: CloneRef; reason: string }[] = [];
  const todo: CloneRef[] = [];
  await Promise.all(
    uniqueClones(clones).map(async (c) => {
      const st = await cloneState(svc, c.uuid, o.signal).catch((e: unknown) => asQq2Error(e));
      if (!('state' in st)) return void skipped.push({ clone: c, reason: `no longer exists (${st.message})` });
      const why = guestSkipReason(op, st.state);
      if (why) skipped.push({ clone: c, reason: why });
      else todo.push(c);
    }),
  );
  todo.sort((a, b) => a.id - b.id);
  // Listening before the first request: a guest may stop before the requests to the others are sent.
  const stopped = op === 'shutdown' && todo.length ? new StopWatch(svc, todo) : undefined;
  try {
    // Shut Down counts a clone as done only once it is off: the requests alone report no progress.
    const sendOptions = { signal: o.signal, onProgress: op === 'shutdown' ? undefined : o.onProgress };
    const sent = await underCloneLocks(svc, todo, sendOptions, () =>
      actOnEachClone(todo, skipped, sendOptions, (c, signal) => virshVia(svc, powerArgs(op, c.uuid), signal).then(() => undefined)),
    );
    if (!stopped) return { ...sent, stillRunning: [] };
    let count = sent.failed.length + sent.cancelled.length;
    const report = (c: CloneRef): void => o.onProgress?.({ done: ++count, total: todo.length, item: c });
    const settled = [...sent.failed.map((f) => f.clone), ...sent.cancelled];
    settled.forEach(report);
    const { done, waiting } = await waitUntilOff(svc, sent.done, stopped, o, report);
    return { ...sent, done, stillRunning: waiting };
  } finally {
    stopped?.dispose();
  }
}

/** Wakes the Shut Down wait when libvirt reports one of the clones stopped (events name domains). */
class StopWatch {
  private wake: (() => void) | undefined;
  private readonly sub: Disposable;
  constructor(svc: LibvirtService, clones: readonly CloneRef[]) {
    const names = new Set(clones.map((c) => c.name));
    this.sub = svc.onEvent((e) => {
      if (e.event === 'Stopped' && names.has(e.domain)) this.wake?.();
    });
  }
  /** Resolves at the next Stopped event of a clone, after `ms`, or on abort, whichever comes first. */
  next(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
  dispose(): void {
    this.sub.dispose();
    this.wake?.();
  }
}

async function waitUntilOff(
  svc: LibvirtService,
  asked: readonly CloneRef[],
  stopped: StopWatch,
  o: PowerOptions,
  report: (c: CloneRef) => void,
): Promise<{ done: CloneRef[]; waiting: CloneRef[] }> {
  const done: CloneRef[] = [];
  let waiting = [...asked];
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (waiting.length && !o.signal?.aborted) {
    // A clone removed meanwhile is no longer running; any other failure to read a state keeps waiting for it.
    const states = await Promise.all(
      waiting.map((c) =>
        cloneState(svc, c.uuid).catch((e: unknown) =>
          /failed to get domain|Domain not found/i.test(String((e as Error).message)) ? { state: 'off' as const, reason: 'gone' } : { state: 'running' as const, reason: 'unknown' },
        ),
      ),
    );
    const off = waiting.filter((_, i) => states[i]!.state === 'off');
    for (const c of off) {
      done.push(c);
      report(c);
    }
    waiting = waiting.filter((_, i) => states[i]!.state !== 'off');
    if (!waiting.length || Date.now() >= deadline) break;
    await stopped.next(Math.min(o.pollMs ?? 5_000, Math.max(0, deadline - Date.now())), o.signal);
  }
  return { done, waiting };
}
