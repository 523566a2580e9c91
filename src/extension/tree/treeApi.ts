/**
 * The tree as commands and tests see it: one TreeApi per host (its model, inventory, refresh, busy registries,
 * addresses and usage) over the one view. The first host's is what registerTree returns; its `hosts`, `forHost` and
 * `forNode` give every host's, and its refresh reads every host.
 */
import * as vscode from 'vscode';
import type { Inventory } from '../../libvirt/api';
import type { AddressBook } from '../../libvirt/guests';
import type { BusyRegistry } from './busy';
import type { Unavailable, UpdateSource } from './controller';
import type { HostRootNode, HostTree } from './hostTree';
import type { HostsProvider, ViewNode } from './hostsProvider';
import type { CloneNode, TreeModel, TreeNode } from './model';
import type { SnapshotNode } from './snapshots';
import type { UsagePoller } from './usagePoller';

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

/** What the host APIs share: the hosts' trees, the view and its provider. */
export interface TreeParts {
  readonly trees: () => readonly HostTree[];
  readonly composite: HostsProvider;
  readonly view: vscode.TreeView<ViewNode>;
  readonly busy: BusyRegistry;
  readonly updated: vscode.Event<UpdateSource>;
  readonly noTemplates: () => boolean | undefined;
}

/** Each host's TreeApi, made once per host tree. */
export class TreeApis {
  private readonly apis = new WeakMap<HostTree, TreeApi>();

  constructor(private readonly parts: TreeParts) {}

  /** The API of one host. */
  of(t: HostTree): TreeApi {
    let api = this.apis.get(t);
    if (!api) this.apis.set(t, (api = this.make(() => t, false)));
    return api;
  }

  /** The first host's API, whose refresh reads every host. */
  first(): TreeApi {
    return this.make(() => this.parts.trees()[0]!, true);
  }

  private make(tree: () => HostTree, all: boolean): TreeApi {
    const parts = this.parts;
    const { composite, view, busy } = parts;
    const trees = (): readonly HostTree[] => this.parts.trees();
    const apiOf = (t: HostTree): TreeApi => this.of(t);
    return {
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
        return trees().map(apiOf);
      },
      forHost: (uri) => {
        const t = trees().find((x) => x.entry.uri === uri);
        return t && apiOf(t);
      },
      forNode: (node) => apiOf(composite.treeOf(node)),
      refresh: () => (all ? Promise.all(trees().map((t) => t.controller.scheduler.now())).then(() => undefined) : tree().controller.scheduler.now()),
      requestRefresh: () => {
        for (const t of all ? trees() : [tree()]) t.controller.scheduler.request();
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
        return parts.noTemplates();
      },
      onDidUpdate: this.parts.updated,
      setNotice: (text) => {
        // Not while libvirt is unavailable: a message would hide the welcome content that says what to do.
        view.message = trees()[0]?.controller.unavailable && !composite.several ? undefined : text;
      },
      get notice() {
        return view.message;
      },
    };
  }
}
