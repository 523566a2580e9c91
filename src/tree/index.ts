import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import type { Inventory, TemplateInfo, CloneInfo } from '../libvirt/api';
import { LibvirtUnavailableError, asQq2Error } from '../core/errors';

/** What commands may ask of the tree. */
export interface TreeApi {
  /** Re-read everything now. */
  refresh(): Promise<void>;
  /** The last inventory read (undefined before the first or after a failure). */
  readonly inventory: Inventory | undefined;
}

type Node = { kind: 'template'; template: TemplateInfo } | { kind: 'clone'; clone: CloneInfo };

class TemplatesProvider implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  inventory: Inventory | undefined;

  constructor(
    private readonly host: ServiceHost,
    private readonly output: vscode.LogOutputChannel,
    private readonly setMessage: (m: string | undefined) => void,
  ) {}

  async refresh(): Promise<void> {
    try {
      await this.host.service.probe();
      this.inventory = await this.host.service.inventory();
      await vscode.commands.executeCommand('setContext', 'qq2clone.unavailable', undefined);
      this.setMessage(undefined);
    } catch (e) {
      const err = asQq2Error(e);
      this.inventory = undefined;
      const reason = err instanceof LibvirtUnavailableError ? err.reason : 'other';
      this.output.error(`libvirt: ${err.message}${err.failure.stderr ? `\n${err.failure.stderr}` : ''}`);
      await vscode.commands.executeCommand('setContext', 'qq2clone.unavailable', reason);
      this.setMessage(err instanceof LibvirtUnavailableError ? `${err.message} ${err.hint}` : err.message);
    }
    this.emitter.fire();
  }

  getTreeItem(n: Node): vscode.TreeItem {
    if (n.kind === 'template') {
      const item = new vscode.TreeItem(n.template.name, vscode.TreeItemCollapsibleState.Expanded);
      item.contextValue = 'template';
      return item;
    }
    const item = new vscode.TreeItem(`${n.clone.id} ${n.clone.name}`);
    item.description = n.clone.state;
    item.contextValue = `${n.clone.state}Clone`;
    return item;
  }

  getChildren(n?: Node): Node[] {
    const inv = this.inventory;
    if (!inv) return [];
    if (!n) return inv.templates.map((template) => ({ kind: 'template', template }));
    if (n.kind === 'template') {
      return inv.clones
        .filter((c) => c.template === n.template.name)
        .sort((a, b) => a.id - b.id)
        .map((clone) => ({ kind: 'clone', clone }));
    }
    return [];
  }
}

export function registerTree(
  context: vscode.ExtensionContext,
  host: ServiceHost,
  output: vscode.LogOutputChannel,
): TreeApi {
  let view: vscode.TreeView<Node> | undefined;
  const provider = new TemplatesProvider(host, output, (m) => {
    if (view) view.message = m;
  });
  view = vscode.window.createTreeView('qq2clone.templates', { treeDataProvider: provider, canSelectMany: true });
  context.subscriptions.push(view, host.onDidChangeService(() => void provider.refresh()));
  void provider.refresh();
  return {
    refresh: () => provider.refresh(),
    get inventory() {
      return provider.inventory;
    },
  };
}
