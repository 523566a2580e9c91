/**
 * The view's data: with one host, that host's templates at the top (as the view has always been); with several,
 * one root per host, each with its templates and clones below, or empty with the reason while it cannot be reached.
 * Each host's own provider makes its items; this one only routes a node to the host it belongs to.
 */
import * as vscode from 'vscode';
import type { HostRootNode, HostTree } from './hostTree';
import type { HostViewNode } from './provider';
import * as P from './presentation';

/** What the view shows: host roots (several hosts), templates, clones and snapshots. */
export type ViewNode = HostViewNode | HostRootNode;

export class HostsProvider implements vscode.TreeDataProvider<ViewNode> {
  private readonly emitter = new vscode.EventEmitter<ViewNode | ViewNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private trees: HostTree[] = [];
  private subscriptions: vscode.Disposable[] = [];

  /** The hosts, the first one first; the view is redrawn. */
  setHosts(trees: readonly HostTree[]): void {
    for (const s of this.subscriptions) s.dispose();
    this.trees = [...trees];
    this.subscriptions = this.trees.map((t) =>
      t.provider.onDidChangeTreeData((e) => {
        // A host's "everything changed" is its root's children in a view of several hosts.
        if (e === undefined && this.several) this.emitter.fire([t.root]);
        else this.emitter.fire(e);
      }),
    );
    this.emitter.fire(undefined);
  }

  get several(): boolean {
    return this.trees.length > 1;
  }

  /** The host a node belongs to (nodes of the first host carry none). */
  treeOf(n: ViewNode): HostTree {
    const uri = n.kind === 'host' ? n.uri : n.kind === 'snapshot' ? n.parent.host : n.host;
    return (uri === undefined ? undefined : this.trees.find((t) => t.entry.uri === uri)) ?? this.trees[0]!;
  }

  /** A host's root item changed (reachable or not, its counts). */
  fireRoot(tree: HostTree): void {
    if (this.several) this.emitter.fire([tree.root]);
  }

  getTreeItem(n: ViewNode): vscode.TreeItem {
    const tree = this.treeOf(n);
    if (n.kind === 'host') return this.hostItem(tree);
    const item = tree.provider.getTreeItem(n);
    // Item ids are unique in the whole view: the same template directory may be listed under two hosts.
    if (tree !== this.trees[0]) item.id = `${tree.entry.uri}|${item.id ?? ''}`;
    return item;
  }

  private hostItem(tree: HostTree): vscode.TreeItem {
    const { controller, entry } = tree;
    const item = new vscode.TreeItem(entry.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = tree.root.key;
    const clones = controller.inventory ? controller.model.templates.flatMap((t) => t.clones.map((c) => c.clone)) : undefined;
    const problem = controller.unavailable?.message;
    item.description = P.hostDescription(clones, problem);
    item.tooltip = new vscode.MarkdownString(undefined).appendText(`${entry.uri}\n\n${item.description}`);
    item.iconPath = problem
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'))
      : new vscode.ThemeIcon('server-environment');
    item.contextValue = problem ? P.UNREACHABLE_HOST_CONTEXT : P.HOST_CONTEXT;
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, n: ViewNode, token: vscode.CancellationToken): vscode.ProviderResult<vscode.TreeItem> {
    if (n.kind === 'host') return item;
    return this.treeOf(n).provider.resolveTreeItem(item, n, token);
  }

  getChildren(n?: ViewNode): ViewNode[] {
    if (!this.trees.length) return [];
    if (!n) return this.several ? this.trees.map((t) => t.root) : this.trees[0]!.provider.getChildren();
    if (n.kind === 'host') return this.treeOf(n).provider.getChildren();
    return this.treeOf(n).provider.getChildren(n);
  }

  getParent(n: ViewNode): ViewNode | undefined {
    if (n.kind === 'host') return undefined;
    if (n.kind === 'template') return this.several ? this.treeOf(n).root : undefined;
    return this.treeOf(n).provider.getParent(n);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
