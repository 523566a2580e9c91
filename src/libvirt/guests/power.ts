/**
 * Graceful power on clones: Shut Down (the guest agent when one answers, else the ACPI power button: libvirt's
 * `--mode agent,acpi`), Reboot (likewise), Reset (QEMU resets the machine at once). Shut Down then waits, up to a
 * timeout, for each clone to be off, and reports those still running so the caller can offer Force Off.
 */
import { CancelledError, LibvirtError, asQq2Error, type Qq2Error } from '../../core/errors';
import { guestSkipReason } from '../../core/operations';
import type { CloneState } from '../../core/states';
import type { BatchResult, CloneRef, LibvirtService, ProgressReport } from '../api';
import { forEachBounded } from '../../core/limit';
import { DEFAULT_POOL_SIZE } from '../virsh';
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
  /** Shut Down: how often to look at the states while waiting (default 500 ms). */
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

/**
 * Runs a power operation on clones: states read first (clones it does not apply to are skipped with the reason),
 * requests sent under each clone's lock, bounded. Shut Down then waits for the clones to be off: those off are
 * done, the rest are stillRunning. Every clone lands in exactly one of done, skipped, failed, cancelled, stillRunning.
 */
export async function power(svc: LibvirtService, op: PowerOperation, clones: readonly CloneRef[], o: PowerOptions = {}): Promise<PowerResult> {
  const signal = o.signal;
  const skipped: { clone: CloneRef; reason: string }[] = [];
  const failed: { clone: CloneRef; error: Qq2Error }[] = [];
  const cancelled: CloneRef[] = [];
  const asked: CloneRef[] = [];
  const unique = [...new Map(clones.map((c) => [c.uuid, c])).values()];
  const todo: CloneRef[] = [];
  await Promise.all(
    unique.map(async (c) => {
      const st = await cloneState(svc, c.uuid, signal).catch((e: unknown) => asQq2Error(e));
      if (!('state' in st)) return void skipped.push({ clone: c, reason: `no longer exists (${st.message})` });
      const why = guestSkipReason(op, st.state);
      if (why) skipped.push({ clone: c, reason: why });
      else todo.push(c);
    }),
  );
  todo.sort((a, b) => a.id - b.id);
  const started = new Set<string>();
  let count = 0;
  await forEachBounded(
    todo,
    DEFAULT_POOL_SIZE,
    async (c) => {
      started.add(c.uuid);
      try {
        await svc.withCloneLock(c.uuid, async () => {
          if (signal?.aborted) throw new CancelledError();
          await virshVia(svc, powerArgs(op, c.uuid), signal);
        });
        asked.push(c);
        if (op !== 'shutdown') o.onProgress?.({ done: ++count, total: todo.length, item: c });
      } catch (e) {
        if (e instanceof CancelledError || signal?.aborted) cancelled.push(c);
        else failed.push({ clone: c, error: asQq2Error(e) });
        o.onProgress?.({ done: ++count, total: todo.length, item: c });
      }
    },
    signal,
  );
  for (const c of todo) if (!started.has(c.uuid)) cancelled.push(c);
  if (op !== 'shutdown') return { done: asked, skipped, failed, cancelled, stillRunning: [] };
  const done: CloneRef[] = [];
  let waiting = [...asked];
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (waiting.length && !signal?.aborted) {
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
      o.onProgress?.({ done: ++count, total: todo.length, item: c });
    }
    waiting = waiting.filter((_, i) => states[i]!.state !== 'off');
    if (!waiting.length || Date.now() >= deadline) break;
    await sleep(Math.min(o.pollMs ?? 500, Math.max(0, deadline - Date.now())), signal);
  }
  return { done, skipped, failed, cancelled, stillRunning: waiting };
}
