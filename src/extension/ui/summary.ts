import type * as vscode from 'vscode';
import type { BatchResult, CloneRef } from '../../libvirt/api';
import { listSkips, type Skip } from './cloneWords';
import { prompts } from './prompts';

const what = (c: CloneRef): string => `clone ${c.id} (${c.name})`;

/**
 * Tells the user how a batch went: failures by name with libvirt's message (details in the output channel),
 * skipped and cancelled items, and, unless quiet, a short success note.
 */
export function summarize(
  output: vscode.LogOutputChannel,
  title: string,
  result: BatchResult,
  uiSkipped: readonly Skip[],
  quiet: boolean,
): void {
  for (const c of result.done) output.info(`${title}: ${what(c)} of ${c.template} done.`);
  const skipped: Skip[] = [
    ...uiSkipped,
    ...result.skipped.map((s) => ({ what: what(s.clone), reason: s.reason })),
  ];
  for (const s of skipped) output.info(`${title}: skipped ${s.what}: ${s.reason}`);
  for (const f of result.failed) {
    const detail = [f.error.failure.command && `command: ${f.error.failure.command}`, f.error.failure.stderr]
      .filter(Boolean)
      .join('\n');
    output.error(`${title}: ${what(f.clone)} of ${f.clone.template} failed: ${f.error.message}${detail ? `\n${detail}` : ''}`);
  }
  if (result.cancelled.length) output.info(`${title}: cancelled before starting: ${result.cancelled.map(what).join(', ')}`);

  const parts = [`${result.done.length} done`];
  if (skipped.length) parts.push(`skipped ${listSkips(skipped)}`);
  if (result.cancelled.length) parts.push(`${result.cancelled.length} cancelled`);
  if (result.failed.length) {
    const failures = result.failed
      .slice(0, 3)
      .map((f) => `${what(f.clone)}: ${f.error.message}`)
      .join('; ');
    const more = result.failed.length > 3 ? `; and ${result.failed.length - 3} more` : '';
    void prompts
      .notify('error', `${title}: ${result.failed.length} failed (${failures}${more}); ${parts.join(', ')}.`, 'Show Output')
      .then((a) => a && output.show(true));
  } else if (skipped.length || result.cancelled.length) {
    void prompts.notify('warning', `${title}: ${parts.join(', ')}.`);
  } else if (!quiet) {
    void prompts.notify('info', `${title}: ${result.done.length} done.`);
  }
}
