import * as vscode from 'vscode';
import type { HostEntry, ServiceHost } from '../serviceHost';
import { BusyRegistry } from './busy';
import type { UpdateSource } from './controller';
import { HostTree, type HostTreeHooks } from './hostTree';
import { HostsProvider } from './hostsProvider';
import { TreeApis, type TreeApi } from './treeApi';

export type { TreeNode, CloneNode, TemplateNode } from './model';
export type { Unavailable, UpdateSource } from './controller';
export type { SnapshotNode } from './snapshots';
export { isSnapshotNode } from './snapshots';
export type { ViewNode } from './hostsProvider';
export type { HostRootNode } from './hostTree';
export type { TreeApi } from './treeApi';

/**
 * The view: one tree per host (`hostTree.ts`), shown through one provider (`hostsProvider.ts`); follows the hosts'
 * settings. Returns the first host's TreeApi (`treeApi.ts`).
 */
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
    t.dispose();
  };
  /** Builds the trees of the hosts that are new, keeps the others (the first one follows its new service). */
  const syncHosts = (): void => {
    const entries = host.hosts;
    const old = trees;
    const next = entries.map((e, i) => {
      const kept = i === 0 ? old[0] : old.find((t, j) => j > 0 && t.entry.uri === e.uri && t.entry.service === e.service);
      // The first host's tree follows whatever service is first; another keeps its tree while its service stays.
      kept?.follow(e);
      return kept ?? make(e, i === 0);
    });
    for (const t of old) if (!next.includes(t)) drop(t);
    trees = next;
    composite.setHosts(trees);
    showAvailability();
    for (const t of trees) if (!old.includes(t)) void t.controller.scheduler.now();
  };
  syncHosts();
  const apis = new TreeApis({ trees: () => trees, composite, view, busy, updated: updated.event, noTemplates: () => noTemplates });

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
  return apis.first();
}
