import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import type { TreeApi } from '../tree';
import { statusBarHostsText } from './statusBarText';

/** The status bar entry: each host and how many clones run there; a click reveals the view. */
export function registerStatusBar(context: vscode.ExtensionContext, host: ServiceHost, tree: TreeApi): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('qq2clone.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'qq2clone';
  item.command = 'workbench.view.extension.qq2clone';
  const update = (): void => {
    // The model, not the last inventory: lifecycle events update it before the next read.
    const s = statusBarHostsText(
      tree.hosts.map((h) => ({
        label: h.label,
        uri: h.uri,
        clones: h.inventory ? h.model.templates.flatMap((t) => t.clones.map((c) => c.clone)) : undefined,
        ...(h.unavailable ? { unavailable: h.unavailable.message } : {}),
      })),
    );
    item.text = s.text;
    item.tooltip = s.tooltip;
  };
  update();
  item.show();
  context.subscriptions.push(item, tree.onDidUpdate(update), host.onDidChangeService(update), host.onDidChangeHosts(update));
  return item;
}
