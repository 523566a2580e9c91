import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import type { Inventory } from '../../libvirt/api';
import { BusyRegistry } from './busy';
import { TreeController, type Unavailable, type UpdateSource } from './controller';
import type { CloneNode, TreeModel, TreeNode } from './model';
import { TemplatesProvider, type ViewNode } from './provider';
import type { SnapshotNode } from './snapshots';
import { TreeAddresses } from './addresses';
import type { AddressBook } from '../../libvirt/guests';
import { UsageSampler } from '../../libvirt/stats';
import type { LibvirtService } from '../../libvirt/api';
import { isActive } from '../../core/operations';
import { UsagePoller, type UsageRead } from './usagePoller';

export type { TreeNode, CloneNode, TemplateNode } from './model';
export type { Unavailable, UpdateSource } from './controller';
export type { SnapshotNode } from './snapshots';
export { isSnapshotNode } from './snapshots';
export type { ViewNode } from './provider';

/** What commands (and tests) may ask of the tree. */
export interface TreeApi {
  /** Re-read everything now; resolves when a read that began after the call is done. */
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
  const cloning = new BusyRegistry();
  const updated = new vscode.EventEmitter<UpdateSource>();
  let noTemplates: boolean | undefined;
  const controller = new TreeController(() => host.service, {
    read: () => {
      noTemplates = controller.model.templates.length === 0;
      void vscode.commands.executeCommand('setContext', 'qq2clone.noTemplates', noTemplates);
    },
    changed: (changes, source) => {
      provider.fire(changes);
      updated.fire(source);
    },
    availability: (u) => {
      // VS Code shows welcome content (what failed, what to do, Retry) only while the view has no message, so the
      // concrete error goes to the view's description and the output channel instead.
      view.message = undefined;
      view.description = u ? `unavailable: ${u.message}` : undefined;
      void vscode.commands.executeCommand('setContext', 'qq2clone.unavailable', u?.reason);
      provider.fire({ all: true, nodes: [] });
      updated.fire('unavailable');
    },
    log: (level, message) => output[level](message),
  });
  // The hooks above run only after the first read, when provider and view exist.
  const addresses = new TreeAddresses(() => host.service, (name) => controller.model.cloneByName(name));
  const usageRead = (service: LibvirtService): UsageRead => {
    const sampler = new UsageSampler(service);
    return (names, signal) => sampler.sample(names, signal);
  };
  const runningNames = () => controller.model.templates.flatMap((t) => t.clones.filter((c) => !c.clone.staging && isActive(c.clone.state)).map((c) => c.clone.name));
  const usageSeconds = () => vscode.workspace.getConfiguration('qq2clone').get<number>('usage.refreshSeconds', 3);
  const usage = new UsagePoller(usageRead(host.service), runningNames, (m) => output.warn(m), { intervalMs: usageSeconds() * 1000 });
  const provider = new TemplatesProvider(
    controller.model,
    busy,
    () => host.service,
    () => controller.unavailable === undefined,
    (message) => output.warn(message),
    addresses,
    usage,
  );
  const view = vscode.window.createTreeView('qq2clone.templates', {
    treeDataProvider: provider,
    canSelectMany: true,
    showCollapseAll: true,
  });
  controller.follow(host.service);
  addresses.follow(host.service);
  const scheduler = controller.scheduler;

  context.subscriptions.push(
    view,
    provider,
    updated,
    controller,
    addresses,
    addresses.book.onChange((uuid) => {
      const node = controller.model.clone(uuid);
      if (node) provider.fire({ all: false, nodes: [node] });
      updated.fire('addresses');
    }),
    usage,
    usage.onSnapshot((snap) => {
      // undefined: the figures were dropped (reading turned off): every row shown with them is redrawn.
      if (!snap) provider.fire({ all: true, nodes: [] });
      const nodes = controller.model.templates.flatMap((t) => {
        const running = t.clones.filter((c) => snap?.domains.has(c.clone.name));
        return running.length ? [t, ...running] : [];
      });
      if (nodes.length) provider.fire({ all: false, nodes });
      updated.fire('usage');
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('qq2clone.usage.refreshSeconds')) usage.setInterval(usageSeconds());
    }),
    view.onDidChangeVisibility((e) => {
      scheduler.setVisible(e.visible);
      usage.setVisible('view', e.visible);
    }),
    host.onDidChangeService((service) => {
      controller.follow(service);
      addresses.follow(service);
      usage.follow(usageRead(service));
      void scheduler.now();
    }),
    busy.onChange((uuids) => {
      const nodes = uuids.map((u) => controller.model.clone(u)).filter((n) => n !== undefined);
      if (nodes.length) provider.fire({ all: false, nodes });
      updated.fire('busy');
    }),
  );
  scheduler.setVisible(view.visible);
  usage.setVisible('view', view.visible);
  // The first read happens even while hidden, so commands from the palette have an inventory.
  void scheduler.now();

  return {
    refresh: () => scheduler.now(),
    requestRefresh: () => scheduler.request(),
    get inventory() {
      return controller.inventory;
    },
    model: controller.model,
    get unavailable() {
      return controller.unavailable;
    },
    busy,
    cloning,
    reveal: (node) => view.reveal(node, { select: true, focus: true }),
    get visible() {
      return view.visible;
    },
    get selection() {
      return view.selection.filter((n): n is TreeNode => n.kind !== 'snapshot');
    },
    get message() {
      return view.description;
    },
    treeItem: (node) => provider.getTreeItem(node),
    snapshots: (node) => provider.snapshots.get(node),
    snapshotsChanged: (uuids) => provider.snapshots.reread(uuids),
    tooltip: async (node) => {
      const source = new vscode.CancellationTokenSource();
      const item = await provider.resolveTreeItem(provider.getTreeItem(node), node, source.token);
      source.dispose();
      return item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
    },
    cloneGeneration: (node) => provider.generations.read(node),
    addresses: addresses.book,
    usage,
    get noTemplates() {
      return noTemplates;
    },
    onDidUpdate: updated.event,
    setNotice: (text) => {
      // Not while libvirt is unavailable: a message would hide the welcome content that says what to do.
      view.message = controller.unavailable ? undefined : text;
    },
    get notice() {
      return view.message;
    },
  };
}
