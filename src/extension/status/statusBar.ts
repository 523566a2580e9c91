import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import type { TreeApi } from '../tree';
import { statusBarText } from './statusBarText';

/** The status bar entry: the connection and how many clones run; a click reveals the view. */
export function registerStatusBar(context: vscode.ExtensionContext, host: ServiceHost, tree: TreeApi): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('qq2clone.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'qq2clone';
  item.command = 'workbench.view.extension.qq2clone';
  const update = (): void => {
    // The model, not the last inventory: lifecycle events update it before the next read.
    const clones = tree.inventory ? tree.model.templates.flatMap((t) => t.clones.map((c) => c.clone)) : undefined;
    const s = statusBarText(host.service.config.uri, clones, tree.unavailable?.message);
    item.text = s.text;
    item.tooltip = s.tooltip;
  };
  update();
  item.show();
  context.subscriptions.push(item, tree.onDidUpdate(update), host.onDidChangeService(update));
  return item;
}
