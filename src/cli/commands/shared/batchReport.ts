import { CancelledError, hintOf, Qq2Error } from '../../../core/errors';
import type { BatchResult } from '../../../libvirt/api';
import type { CliContext } from '../../context';

/**
 * Reports a batch on a SET the usual way: a line per machine done or skipped, an error per failure and each
 * distinct hint once; then exits as the manual says: cancelled (naming what was not done), or the first failure's
 * exit code ("`what` failed for K of N machines").
 */
export function reportBatch(ctx: CliContext, what: string, doneText: string, asked: number, r: BatchResult): void {
  for (const c of r.done) ctx.out.info(`${doneText} ${c.id} (${c.name}).`);
  for (const s of r.skipped) ctx.out.info(`Skipped ${s.clone.id} (${s.clone.name}): ${s.reason}`);
  for (const f of r.failed) ctx.out.error(`${what} ${f.clone.id} (${f.clone.name}): ${f.error.message}`);
  // What to do about the failures (e.g. "start the libvirt daemon"), once per distinct hint.
  for (const h of new Set(r.failed.map((f) => hintOf(f.error)))) if (h) ctx.out.error(h);
  if (r.cancelled.length) throw new CancelledError(`Cancelled; not done: ${r.cancelled.map((c) => c.id).join(',')}.`);
  const first = r.failed[0];
  if (first) throw new Qq2Error(`${what} failed for ${r.failed.length} of ${asked} machines.`, first.error.exitCode);
}
