import * as vscode from 'vscode';
import { UsagePanel } from '../../panel/usagePanel';
import type { CommandDefinition } from '../types';

/**
 * Opens the usage panel (charts of the running clones' CPU, memory, disk and network use, and the host's), from the
 * view's title bar or a running clone's menu. Resolves with the panel (tests), or undefined outside an extension.
 */
export const showUsageCommand: CommandDefinition = {
  id: 'qq2clone.showUsage',
  hosts: 'first',
  run: (ctx) => {
    if (!ctx.extensionUri) return undefined;
    if (vscode.workspace.getConfiguration('qq2clone').get<number>('usage.refreshSeconds', 3) === 0) {
      void vscode.window.showInformationMessage('Usage is not read: the setting qq2clone.usage.refreshSeconds is 0. Set it to a number of seconds to see figures.');
    }
    return UsagePanel.show(ctx.extensionUri, ctx.tree);
  },
};
