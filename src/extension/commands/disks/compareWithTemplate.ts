import * as vscode from 'vscode';
import type { Change } from '../../../core/treeDiff';
import { targetWhat } from '../../../libvirt/disks';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { chooseDisk, diskApi, diskUri, reportDiskError } from './shared';

const KINDS = [
  ['added', 'Added'],
  ['changed', 'Changed'],
  ['deleted', 'Deleted'],
] as const;

/**
 * Compare with Template: the files a clone added, changed and deleted relative to the image it was made on, as a
 * list grouped by kind; a file picked opens in the diff editor (template vs clone). Resolves to the changes.
 */
export const compareWithTemplateCommand: CommandDefinition = {
  id: 'qq2clone.compareWithTemplate',
  hosts: 'first',
  run: async (ctx, node?, _nodes?, extra?) => {
    const options = extra as { pick?: boolean } | undefined;
    const t = await chooseDisk(ctx, node, 'Compare with its template', true);
    if (!t) return undefined;
    const api = diskApi(ctx);
    let changes: Change[];
    try {
      changes = await Promise.resolve(
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Comparing ${targetWhat(t)} with its template`, cancellable: true },
          async (progress, token) => {
            const abort = new AbortController();
            const sub = token.onCancellationRequested(() => abort.abort());
            let last = 0;
            try {
              return await api.host.disk.diff(t, {
                signal: abort.signal,
                onProgress: (p) => {
                  const inc = p.percent !== undefined ? p.percent - last : undefined;
                  if (p.percent !== undefined) last = p.percent;
                  progress.report({ message: p.message, ...(inc !== undefined ? { increment: inc } : {}) });
                },
              });
            } finally {
              sub.dispose();
            }
          },
        ),
      );
    } catch (e) {
      reportDiskError(ctx, `Compare ${targetWhat(t)} with its template`, e);
      return undefined;
    }
    ctx.output.info(`${targetWhat(t)} against its template: ${changes.length} change(s)`);
    if (!changes.length) {
      void prompts.notify('info', `${targetWhat(t)} has no changes relative to its template.`);
      return changes;
    }
    if (options?.pick === false) return changes;
    const items: (vscode.QuickPickItem & { change?: Change })[] = [];
    for (const [kind, label] of KINDS) {
      const of = changes.filter((c) => c.kind === kind);
      if (!of.length) continue;
      items.push({ label: `${label} (${of.length})`, kind: vscode.QuickPickItemKind.Separator });
      for (const c of of) items.push({ label: c.path, description: c.what?.join(', ') ?? (c.dir ? 'folder' : ''), change: c });
    }
    void (async () => {
      const picked = await prompts.quickPick(items, { title: `${targetWhat(t)}: ${changes.length} change(s) relative to its template`, matchOnDescription: true });
      const c = picked?.change;
      if (!c || c.dir) return;
      const left = diskUri(t, c.path, true);
      const right = diskUri(t, c.path);
      if (c.kind === 'added') await vscode.commands.executeCommand('vscode.open', right);
      else if (c.kind === 'deleted') await vscode.commands.executeCommand('vscode.open', left);
      else await vscode.commands.executeCommand('vscode.diff', left, right, `${c.path} (template ↔ ${targetWhat(t)})`);
    })();
    return changes;
  },
};
