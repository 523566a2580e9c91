/**
 * What a clone command tells the user: per template what was made, what failed (with libvirt's message) and what
 * was cancelled; the notification sums it up, the output channel has the detail. Pure (no vscode).
 */
import type { Qq2Error } from '../../../core/errors';
import type { CloneBatchResult } from '../../../libvirt/api';
import { listSkips, type Skip } from '../../ui/cloneWords';

/** One template's outcome: the service's report, or the error that stopped it before any clone began. */
export type TemplateOutcome =
  | { readonly template: string; readonly result: CloneBatchResult }
  | { readonly template: string; readonly error: Qq2Error };

export interface CloneSummary {
  readonly severity: 'info' | 'warning' | 'error';
  /** The notification's text. */
  readonly message: string;
  /** Lines for the output channel (errors with their command and stderr). */
  readonly log: readonly { readonly level: 'info' | 'error'; readonly text: string }[];
}

function detail(e: Qq2Error): string {
  const lines = [e.failure.command && `command: ${e.failure.command}`, e.failure.stderr?.trim()].filter(Boolean);
  return lines.length ? `\n${lines.join('\n')}` : '';
}

/** `count` asked of each template; `run`: the clones were to be started. */
export function summarizeClones(outcomes: readonly TemplateOutcome[], count: number, run: boolean, skipped: readonly Skip[]): CloneSummary {
  const log: { level: 'info' | 'error'; text: string }[] = [];
  const failures: string[] = [];
  let made = 0;
  let cancelled = 0;
  for (const o of outcomes) {
    if ('error' in o) {
      failures.push(`template ${o.template}: ${o.error.message}`);
      log.push({ level: 'error', text: `Clone ${o.template}: nothing made: ${o.error.message}${detail(o.error)}` });
      continue;
    }
    const r = o.result;
    made += r.made.length;
    cancelled += r.cancelled;
    const names = r.made.map((c) => c.name).join(', ');
    log.push({ level: 'info', text: `Clone ${o.template}: made ${r.made.length} of ${count}${run && r.made.length ? ' (started)' : ''}${names ? `: ${names}` : ''}` });
    for (const f of r.failed) {
      failures.push(`clone ${f.id} (${f.name}) of ${f.template}: ${f.error.message}`);
      log.push({ level: 'error', text: `Clone ${o.template}: clone ${f.id} (${f.name}) failed${f.leftBehind ? '' : ' and left nothing behind'}: ${f.error.message}${detail(f.error)}` });
    }
    if (r.cancelled) log.push({ level: 'info', text: `Clone ${o.template}: ${r.cancelled} not made (cancelled)` });
  }
  for (const s of skipped) log.push({ level: 'info', text: `Clone: skipped ${s.what}: ${s.reason}` });
  const total = count * outcomes.length;
  const parts = [`made ${made} of ${total}${run && made ? ' (started)' : ''}`];
  if (failures.length) {
    const shown = failures.slice(0, 3).join('; ');
    parts.push(`${failures.length} failed (${shown}${failures.length > 3 ? `; and ${failures.length - 3} more` : ''})`);
  }
  if (cancelled) parts.push(`${cancelled} cancelled`);
  if (skipped.length) parts.push(`skipped ${listSkips(skipped)}`);
  const severity = failures.length ? 'error' : cancelled || skipped.length ? 'warning' : 'info';
  if (severity === 'info') {
    const names = outcomes.flatMap((o) => ('result' in o ? o.result.made.map((c) => c.name) : []));
    parts[0] += `: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ` and ${names.length - 8} more` : ''}`;
  }
  return { severity, message: `Clone: ${parts.join('; ')}.`, log };
}
