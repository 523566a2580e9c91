import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import type { Disposable, Inventory, LibvirtService } from '../libvirt/api';
import { LibvirtUnavailableError, asQq2Error, type Qq2Error, type UnavailableReason } from '../core/errors';
import { BusyRegistry } from '../ui/busy';
import { TreeModel, type TreeNode } from './model';
import { TemplatesProvider } from './provider';
import { RefreshScheduler } from './scheduler';

export type { TreeNode, CloneNode, TemplateNode } from './model';

/** Why the tree is empty because of libvirt, as shown in the view's message and welcome content. */
export interface Unavailable {
  readonly reason: UnavailableReason;
  readonly message: string;
}

/** What an update came from (tests and the output channel). */
export type UpdateSource = 'event' | 'inventory' | 'unavailable' | 'busy';

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
  /** The view's current selection. */
  readonly selection: readonly TreeNode[];
  /** The TreeItem as the view shows it (tests read labels, icons and contextValues through this). */
  treeItem(node: TreeNode): vscode.TreeItem;
  /** Fires after the model or the availability changed. */
  readonly onDidUpdate: vscode.Event<UpdateSource>;
}

function describe(err: Qq2Error): Unavailable {
  if (err instanceof LibvirtUnavailableError) return { reason: err.reason, message: `${err.message} ${err.hint}` };
  return { reason: 'other', message: err.message };
}

export function registerTree(
  context: vscode.ExtensionContext,
  host: ServiceHost,
  output: vscode.LogOutputChannel,
): TreeApi {
  const model = new TreeModel();
  const busy = new BusyRegistry();
  const updated = new vscode.EventEmitter<UpdateSource>();
  let inventory: Inventory | undefined;
  let unavailable: Unavailable | undefined;
  const provider = new TemplatesProvider(model, busy, () => host.service, () => unavailable === undefined);
  const view = vscode.window.createTreeView('qq2clone.templates', {
    treeDataProvider: provider,
    canSelectMany: true,
    showCollapseAll: true,
  });

  const setUnavailable = (u: Unavailable | undefined): void => {
    const was = unavailable;
    unavailable = u;
    view.message = u?.message;
    void vscode.commands.executeCommand('setContext', 'qq2clone.unavailable', u?.reason);
    if (u && (!was || was.message !== u.message)) output.warn(`libvirt unavailable: ${u.message}`);
    if (!u && was) output.info('libvirt is reachable again.');
    if (!!was !== !!u) provider.fire({ all: true, nodes: [] });
  };

  const read = async (): Promise<void> => {
    const service = host.service;
    try {
      inventory = await service.inventory();
    } catch (e) {
      let err = asQq2Error(e);
      if (!(err instanceof LibvirtUnavailableError)) {
        // Tell "libvirt is gone" apart from a failure of the read itself.
        err = await service.probe().then(() => err, asQq2Error);
      }
      inventory = undefined;
      output.error(`Reading libvirt failed: ${err.message}${err.failure.stderr ? `\n${err.failure.stderr}` : ''}`);
      setUnavailable(describe(err));
      updated.fire('unavailable');
      return;
    }
    const changes = model.update(inventory);
    void vscode.commands.executeCommand('setContext', 'qq2clone.noTemplates', model.templates.length === 0);
    if (unavailable) setUnavailable(undefined);
    else provider.fire(changes);
    updated.fire('inventory');
  };
  const scheduler = new RefreshScheduler(read);

  let subscriptions: Disposable[] = [];
  const follow = (service: LibvirtService): void => {
    for (const s of subscriptions) s.dispose();
    subscriptions = [
      service.onEvent((e) => {
        const changes = model.applyEvent(e);
        if (changes.nodes.length) {
          provider.fire(changes);
          updated.fire('event');
        }
        scheduler.request();
      }),
      service.onConnectionChange((problem) => {
        if (problem) {
          inventory = undefined;
          setUnavailable(describe(problem));
          updated.fire('unavailable');
        } else void scheduler.now();
      }),
    ];
  };
  follow(host.service);

  context.subscriptions.push(
    view,
    provider,
    updated,
    { dispose: () => scheduler.dispose() },
    { dispose: () => subscriptions.forEach((s) => s.dispose()) },
    view.onDidChangeVisibility((e) => scheduler.setVisible(e.visible)),
    host.onDidChangeService((service) => {
      follow(service);
      void scheduler.now();
    }),
    busy.onChange((uuids) => {
      const nodes = uuids.map((u) => model.clone(u)).filter((n) => n !== undefined);
      if (nodes.length) provider.fire({ all: false, nodes });
      updated.fire('busy');
    }),
  );
  scheduler.setVisible(view.visible);
  // The first read happens even while hidden, so commands from the palette have an inventory.
  void scheduler.now();

  return {
    refresh: () => scheduler.now(),
    requestRefresh: () => scheduler.request(),
    get inventory() {
      return inventory;
    },
    model,
    get unavailable() {
      return unavailable;
    },
    busy,
    get selection() {
      return view.selection;
    },
    treeItem: (node) => provider.getTreeItem(node),
    onDidUpdate: updated.event,
  };
}
