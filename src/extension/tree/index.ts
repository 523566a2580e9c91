import * as vscode from 'vscode';
import type { HostEntry, ServiceHost } from '../serviceHost';
import type { Inventory } from '../../libvirt/api';
import { BusyRegistry } from './busy';
import type { Unavailable, UpdateSource } from './controller';
import type { CloneNode, TreeModel, TreeNode } from './model';
import type { SnapshotNode } from './snapshots';
import type { AddressBook } from '../../libvirt/guests';
import type { UsagePoller } from './usagePoller';
import { HostTree, type HostRootNode, type HostTreeHooks } from './hostTree';
import { HostsProvider, type ViewNode } from './hostsProvider';

export type { TreeNode, CloneNode, TemplateNode } from './model';
export type { Unavailable, UpdateSource } from './controller';
export type { SnapshotNode } from './snapshots';
export { isSnapshotNode } from './snapshots';
export type { ViewNode } from './hostsProvider';
export type { HostRootNode } from './hostTree';

/** What commands (and tests) may ask of the tree: of one host (commands get the tree of their item's host). */
export interface TreeApi {
  /** The host's connection URI and the label its root shows. */
  readonly uri: string;
  readonly label: string;
  /** The host's root in a view of several hosts. */
  readonly root: HostRootNode;
  /** Every host's tree, the first host's first (one entry when only qq2clone.connectionUri is set). */
  readonly hosts: readonly TreeApi[];
  /** The tree of the host with this URI. */
  forHost(uri: string): TreeApi | undefined;
  /** The tree of the host a node belongs to. */
  forNode(node: ViewNode): TreeApi;
  /** Re-read everything now (the first host's tree: every host's); resolves when a read that began after the call is done. */
  refresh(): Promise<void>;
  /** Re-read soon (collapsed with other requests): after a command finished. */
  requestRefresh(): void;
  /** The last inventory read (undefined before the first or after a failure). */
  readonly inventory: Inventory | undefined;
  /** The nodes as the view has them. */
  readonly model: TreeModel;
  /** Set while libvirt cannot be reached. */
  readonly unavailable: Unavailable | undefined;
  /** Clones with an operation in flight (commands acquire, the tree shows a spinner). */
  readonly busy: BusyRegistry;
  /** Templates being cloned, by name (one Clone at a time per template). */
  readonly cloning: BusyRegistry;
  /** Selects, reveals and focuses a node in the view (the usage panel's click on a clone). */
  reveal(node: TreeNode): Thenable<void>;
  /** The view's current selection. */
  readonly selection: readonly TreeNode[];
  /** The view is visible (shown in its container, the container open). */
  readonly visible: boolean;
  /** The view's description (carries the concrete error while libvirt is unavailable). */
  readonly message: string | undefined;
  /** The TreeItem as the view shows it (tests read labels, icons and contextValues through this). */
  treeItem(node: ViewNode): vscode.TreeItem;
  /** A clone's snapshots as the view shows them under it, newest first; undefined while not read yet. */
  snapshots(node: CloneNode): SnapshotNode[] | undefined;
  /** These clones' snapshots changed (a command took, reverted or deleted one): read them again and show them. */
  snapshotsChanged(uuids: readonly string[]): void;
  /** The tooltip a node shows on hover, resolved (disks and backing files, storage, saved state). */
  tooltip(node: TreeNode): Promise<string>;
  /** The image generation a clone's disk is based on (read once, the value its item shows); null if unreadable. */
  cloneGeneration(node: CloneNode): Promise<number | null>;
  /** The value last given to the `qq2clone.noTemplates` context key (the "No templates yet" welcome). */
  readonly noTemplates: boolean | undefined;
  /** Running clones' addresses, read in the background (commands invalidate an entry they changed). */
  readonly addresses: AddressBook;
  /** Running clones' live usage, read every few seconds while the view or the usage panel is visible. */
  readonly usage: UsagePoller;
  /** Fires after the model or the availability changed. */
  readonly onDidUpdate: vscode.Event<UpdateSource>;
  /** Shows a notice above the tree (undefined removes it), e.g. that power-off policies need VS Code open. */
  setNotice(text: string | undefined): void;
  /** The notice shown above the tree. */
  readonly notice: string | undefined;
}

export function registerTree(
  context: vscode.ExtensionContext,
  host: ServiceHost,
  output: vscode.LogOutputChannel,
): TreeApi {
  const busy = new BusyRegistry();
  const updated = new vscode.EventEmitter<UpdateSource>();
  const composite = new HostsProvider();
  let noTemplates: boolean | undefined;
  let trees: HostTree[] = [];
  const apis = new Map<HostTree, TreeApi>();

  // VS Code shows welcome content (what failed, what to do, Retry) only while the view has no message, so with one
  // host the concrete error goes to the view's description and the output channel instead; with several, each
  // host's root says it.
  const showAvailability = (): void => {
    const u = composite.several ? undefined : trees[0]?.controller.unavailable;
    view.message = undefined;
    view.description = u ? `unavailable: ${u.message}` : undefined;
    void vscode.commands.executeCommand('setContext', 'qq2clone.unavailable', u?.reason);
  };
  const hooks: HostTreeHooks = {
    output,
    read: (t) => {
      if (t !== trees[0]) return composite.fireRoot(t);
      noTemplates = t.controller.model.templates.length === 0;
      void vscode.commands.executeCommand('setContext', 'qq2clone.noTemplates', noTemplates);
      composite.fireRoot(t);
    },
    changed: (t, changes, source) => {
      t.provider.fire(changes);
      composite.fireRoot(t);
      updated.fire(source);
    },
    availability: (t) => {
      if (t === trees[0]) showAvailability();
      t.provider.fire({ all: true, nodes: [] });
      composite.fireRoot(t);
      updated.fire('unavailable');
    },
  };
  const view = vscode.window.createTreeView('qq2clone.templates', {
    treeDataProvider: composite,
    canSelectMany: true,
    showCollapseAll: true,
  });

  const subscribe = (t: HostTree): vscode.Disposable[] => [
    t.addresses.book.onChange((uuid) => {
      const node = t.controller.model.clone(uuid);
      if (node) t.provider.fire({ all: false, nodes: [node] });
      updated.fire('addresses');
    }),
    t.usage.onSnapshot((snap) => {
      // undefined: the figures were dropped (reading turned off): every row shown with them is redrawn.
      if (!snap) t.provider.fire({ all: true, nodes: [] });
      const nodes = t.controller.model.templates.flatMap((n) => {
        const running = n.clones.filter((c) => snap?.domains.has(c.clone.name));
        return running.length ? [n, ...running] : [];
      });
      if (nodes.length) t.provider.fire({ all: false, nodes });
      updated.fire('usage');
    }),
  ];
  const extra = new Map<HostTree, vscode.Disposable[]>();
  const make = (entry: HostEntry, first: boolean): HostTree => {
    const t = new HostTree(entry, !first, busy, new BusyRegistry(), hooks);
    extra.set(t, subscribe(t));
    t.controller.scheduler.setVisible(view.visible);
    t.usage.setVisible('view', view.visible);
    return t;
  };
  const drop = (t: HostTree): void => {
    for (const d of extra.get(t) ?? []) d.dispose();
    extra.delete(t);
    apis.delete(t);
    t.dispose();
  };
  /** Builds the trees of the hosts that are new, keeps the others (the first one follows its new service). */
  const syncHosts = (): void => {
    const entries = host.hosts;
    const old = trees;
    const next = entries.map((e, i) => {
      if (i === 0 && old[0]) {
        if (old[0].entry.service !== e.service) old[0].follow(e);
        return old[0];
      }
      return old.find((t, j) => j > 0 && t.entry.uri === e.uri && t.entry.service === e.service) ?? make(e, i === 0);
    });
    for (const t of old) if (!next.includes(t)) drop(t);
    trees = next;
    composite.setHosts(trees);
    showAvailability();
    for (const t of trees) if (!old.includes(t)) void t.controller.scheduler.now();
  };
  syncHosts();

  const apiOf = (t: HostTree): TreeApi => {
    let api = apis.get(t);
    if (!api) apis.set(t, (api = hostApi(() => t, false)));
    return api;
  };
  const hostApi = (tree: () => HostTree, all: boolean): TreeApi => ({
    get uri() {
      return tree().entry.uri;
    },
    get label() {
      return tree().entry.label;
    },
    get root() {
      return tree().root;
    },
    get hosts() {
      return trees.map(apiOf);
    },
    forHost: (uri) => {
      const t = trees.find((x) => x.entry.uri === uri);
      return t && apiOf(t);
    },
    forNode: (node) => apiOf(composite.treeOf(node)),
    refresh: () => (all ? Promise.all(trees.map((t) => t.controller.scheduler.now())).then(() => undefined) : tree().controller.scheduler.now()),
    requestRefresh: () => {
      for (const t of all ? trees : [tree()]) t.controller.scheduler.request();
    },
    get inventory() {
      return tree().controller.inventory;
    },
    get model() {
      return tree().controller.model;
    },
    get unavailable() {
      return tree().controller.unavailable;
    },
    busy,
    get cloning() {
      return tree().cloning;
    },
    reveal: (node) => view.reveal(node, { select: true, focus: true }),
    get visible() {
      return view.visible;
    },
    get selection() {
      return view.selection.filter((n): n is TreeNode => n.kind === 'template' || n.kind === 'clone');
    },
    get message() {
      return view.description;
    },
    treeItem: (node) => composite.getTreeItem(node),
    snapshots: (node) => composite.treeOf(node).provider.snapshots.get(node),
    snapshotsChanged: (uuids) => tree().provider.snapshots.reread(uuids),
    tooltip: async (node) => {
      const source = new vscode.CancellationTokenSource();
      const item = await composite.treeOf(node).provider.resolveTreeItem(composite.getTreeItem(node), node, source.token);
      source.dispose();
      return item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
    },
    cloneGeneration: (node) => composite.treeOf(node).provider.generations.read(node),
    get addresses() {
      return tree().addresses.book;
    },
    get usage() {
      return tree().usage;
    },
    get noTemplates() {
      return noTemplates;
    },
    onDidUpdate: updated.event,
    setNotice: (text) => {
      // Not while libvirt is unavailable: a message would hide the welcome content that says what to do.
      view.message = trees[0]?.controller.unavailable && !composite.several ? undefined : text;
    },
    get notice() {
      return view.message;
    },
  });

  context.subscriptions.push(
    view,
    composite,
    updated,
    { dispose: () => [...trees].forEach(drop) },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('qq2clone.usage.refreshSeconds')) return;
      const seconds = vscode.workspace.getConfiguration('qq2clone').get<number>('usage.refreshSeconds', 3);
      for (const t of trees) t.usage.setInterval(seconds);
    }),
    view.onDidChangeVisibility((e) => {
      for (const t of trees) {
        t.controller.scheduler.setVisible(e.visible);
        t.usage.setVisible('view', e.visible);
      }
    }),
    host.onDidChangeHosts(() => syncHosts()),
    host.onDidChangeService(() => syncHosts()),
    busy.onChange((uuids) => {
      for (const t of trees) {
        const nodes = uuids.map((u) => t.controller.model.clone(u)).filter((n) => n !== undefined);
        if (nodes.length) t.provider.fire({ all: false, nodes });
      }
      updated.fire('busy');
    }),
  );
  // The first read happens even while hidden, so commands from the palette have an inventory.
  return hostApi(() => trees[0]!, true);
}
