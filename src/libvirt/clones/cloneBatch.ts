/**
 * The shape every batch on a list of clones shares (the SET operations, the snapshot actions): the clones' locks
 * taken first, across processes; then, under them, each clone acted upon with a bound, never two at once on one
 * clone. Cancelling stops taking clones and reaches the running ones through the signal; every clone lands in
 * exactly one list of the BatchResult.
 */
import { CancelledError, asQq2Error, type Qq2Error } from '../../core/errors';
import { forEachBounded } from '../../core/limit';
import type { BatchOptions, BatchResult, CloneRef } from '../api';
import type { Locks } from '../process';
import { DEFAULT_POOL_SIZE } from '../virsh';

/** The clones once each (by UUID), in the order given. */
export function uniqueClones(clones: readonly CloneRef[]): CloneRef[] {
  return [...new Map(clones.map((c) => [c.uuid, c])).values()];
}

/**
 * Runs `locked` while holding the locks of all `clones`; a cancel before or while waiting for them is a result in
 * which every clone is cancelled.
 */
export async function underCloneLocks(locks: Pick<Locks, 'withCloneLock'>, clones: readonly CloneRef[], o: BatchOptions, locked: () => Promise<BatchResult>): Promise<BatchResult> {
  const none = { done: [], skipped: [], failed: [], cancelled: [...clones] };
  if (o.signal?.aborted) return none;
  try {
    return await locks.withCloneLock(clones.map((c) => c.uuid), locked, o.signal);
  } catch (e) {
    if (e instanceof CancelledError || o.signal?.aborted) return none;
    throw e;
  }
}

/**
 * Acts on each clone of `todo` (as many at once as the session pool serves, or `o.concurrency`), reporting
 * progress; `skipped` are those already found not to apply, with the reason.
 */
export async function actOnEachClone(
  todo: readonly CloneRef[],
  skipped: { clone: CloneRef; reason: string }[],
  o: BatchOptions,
  act: (clone: CloneRef, signal?: AbortSignal) => Promise<void>,
): Promise<BatchResult> {
  const signal = o.signal;
  const done: CloneRef[] = [];
  const failed: { clone: CloneRef; error: Qq2Error }[] = [];
  const cancelled: CloneRef[] = [];
  const started = new Set<string>();
  let count = 0;
  await forEachBounded(
    todo,
    o.concurrency ?? DEFAULT_POOL_SIZE,
    async (c) => {
      started.add(c.uuid);
      try {
        if (signal?.aborted) throw new CancelledError();
        await act(c, signal);
        done.push(c);
      } catch (e) {
        if (e instanceof CancelledError || signal?.aborted) cancelled.push(c);
        else failed.push({ clone: c, error: asQq2Error(e) });
      }
      o.onProgress?.({ done: ++count, total: todo.length, item: c });
    },
    signal,
  );
  for (const c of todo) if (!started.has(c.uuid)) cancelled.push(c);
  return { done, skipped, failed, cancelled };
}
