/**
 * Run in Guests: one command string inside many clones through the guest agent (no network), in number order or
 * with a bound in parallel. Each clone's result is reported as it finishes; a clone whose agent does not answer
 * is skipped and named; the first failure stops taking new clones unless keepGoing.
 */
import { CancelledError, asQq2Error, type Qq2Error } from '../../core/errors';
import { guestSkipReason } from '../../core/operations';
import type { CloneRef, LibvirtService } from '../api';
import { forEachBounded } from '../../core/limit';
import { virshVia } from '../serviceCore';
import { agentAnswers, guestShell, type GuestExecStatus, type VirshCall } from './agent';
import { cloneState } from './power';

export interface GuestRunOptions {
  /** How many clones at once (1, the default: in number order). */
  readonly parallel?: number;
  /** Run every clone even after one failed (default: stop taking new clones at the first failure). */
  readonly keepGoing?: boolean;
  /** How long each clone's command may run before it is ended and reported as failed (default GUEST_EXEC_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** A clone's command was started in its guest. */
  readonly onStart?: (clone: CloneRef) => void;
  /** A clone finished (status), could not run (error) or was skipped (reason). */
  readonly onDone?: (outcome: GuestRunOutcome) => void;
}

export type GuestRunOutcome =
  | { readonly kind: 'ran'; readonly clone: CloneRef; readonly status: GuestExecStatus; readonly ms: number }
  | { readonly kind: 'error'; readonly clone: CloneRef; readonly error: Qq2Error }
  | { readonly kind: 'skipped'; readonly clone: CloneRef; readonly reason: string };

export interface GuestRunResult {
  /** Every clone that ran or was tried, in the order they finished. */
  readonly outcomes: readonly GuestRunOutcome[];
  /** Clones not started: a failure stopped the run, or it was cancelled. */
  readonly notRun: readonly CloneRef[];
  /** The lowest-numbered clone whose command failed (non-zero, killed, or could not be run). */
  readonly firstFailure?: GuestRunOutcome;
  readonly cancelled: boolean;
}

/** Did this outcome fail (skips are not failures)? */
export function outcomeFailed(o: GuestRunOutcome): boolean {
  return o.kind === 'error' || (o.kind === 'ran' && (o.status.exitCode !== 0 || o.status.signal !== undefined));
}

/** "exit 0", "exit 3", "killed by signal 9". */
export function execStatusText(s: GuestExecStatus): string {
  return s.signal !== undefined ? `killed by signal ${s.signal}` : `exit ${s.exitCode ?? '?'}`;
}

/** Runs `command` with /bin/sh -c in each clone's guest (see the module comment). */
export async function runInGuests(svc: LibvirtService, clones: readonly CloneRef[], command: string, o: GuestRunOptions = {}): Promise<GuestRunResult> {
  const virsh: VirshCall = (args, signal) => virshVia(svc, args, signal);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) stop.abort();
  const outcomes: GuestRunOutcome[] = [];
  const started = new Set<string>();
  const ordered = [...new Map(clones.map((c) => [c.uuid, c])).values()].sort((a, b) => a.template.localeCompare(b.template) || a.id - b.id);
  const finish = (x: GuestRunOutcome): void => {
    outcomes.push(x);
    o.onDone?.(x);
    if (outcomeFailed(x) && !o.keepGoing) stop.abort();
  };
  try {
    await forEachBounded(
      ordered,
      Math.max(1, o.parallel ?? 1),
      async (c) => {
        started.add(c.uuid);
        try {
          const st = await cloneState(svc, c.uuid, o.signal);
          const why = guestSkipReason('guest-exec', st.state);
          if (why) return finish({ kind: 'skipped', clone: c, reason: why });
          if (!(await agentAnswers(virsh, c.uuid, o.signal))) return finish({ kind: 'skipped', clone: c, reason: 'its guest agent does not answer' });
          o.onStart?.(c);
          const t0 = Date.now();
          const status = await guestShell(virsh, c.uuid, command, o.signal, o.timeoutMs);
          finish({ kind: 'ran', clone: c, status, ms: Date.now() - t0 });
        } catch (e) {
          if (e instanceof CancelledError || o.signal?.aborted) {
            started.delete(c.uuid);
            return;
          }
          finish({ kind: 'error', clone: c, error: asQq2Error(e) });
        }
      },
      stop.signal,
    );
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  const failures = outcomes.filter(outcomeFailed).sort((a, b) => ordered.indexOf(a.clone) - ordered.indexOf(b.clone));
  return {
    outcomes,
    notRun: ordered.filter((c) => !started.has(c.uuid)),
    ...(failures[0] ? { firstFailure: failures[0] } : {}),
    cancelled: o.signal?.aborted === true,
  };
}

/** One line: "3 ran (1 failed), 1 skipped (no agent: 4), 2 not run". */
export function summaryLine(r: GuestRunResult): string {
  const ran = r.outcomes.filter((x) => x.kind !== 'skipped');
  const failed = r.outcomes.filter(outcomeFailed);
  const skipped = r.outcomes.filter((x) => x.kind === 'skipped');
  const parts = [`${ran.length} ran${failed.length ? ` (${failed.length} failed: ${failed.map((f) => f.clone.id).join(',')})` : ', all exited 0'}`];
  if (skipped.length) parts.push(`${skipped.length} skipped (${skipped.map((s) => s.clone.id).join(',')})`);
  if (r.notRun.length) parts.push(`${r.notRun.length} not run (${r.notRun.map((c) => c.id).join(',')})`);
  if (r.cancelled) parts.push('cancelled');
  return parts.join(', ');
}
