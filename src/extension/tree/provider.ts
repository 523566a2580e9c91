import * as vscode from 'vscode';
import type { LibvirtService } from '../../libvirt/api';
import { generationOf, qcow2Backing } from '../../libvirt/storage';
import type { BusyRegistry } from './busy';
import { CloneGenerationCache, templateGeneration } from './generations';
import type { ChangeSet, CloneNode, TemplateNode, TreeModel, TreeNode } from './model';
import * as P from './presentation';
import { hookLog, hookPaths, latestByClone, readPolicyLogs, userPolicyLog } from '../../libvirt/policy';
import type { TreeAddresses } from './addresses';
import type { UsagePoller } from './usagePoller';
import { isActive } from '../../core/operations';
import { CloneSnapshotCache, type SnapshotNode } from './snapshots';

const activeNames = (n: TemplateNode): string[] => n.clones.filter((c) => isActive(c.clone.state)).map((c) => c.clone.name);

/** What one host shows: its templates and clones, and the snapshots under clones. */
export type HostViewNode = TreeNode | SnapshotNode;

/** Turns the model into TreeItems; tooltips (disks, backing files, storage) are read only on hover. */
export class TemplatesProvider implements vscode.TreeDataProvider<HostViewNode> {
  private readonly emitter = new vscode.EventEmitter<HostViewNode | HostViewNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Clones' image generations, read once per clone and only for templates with more than one generation. */
  readonly generations: CloneGenerationCache;
  /** Clones' snapshots, read in one batch for the clones shown and again when a command changed them. */
  readonly snapshots: CloneSnapshotCache;

  constructor(
    private readonly model: TreeModel,
    private readonly busy: BusyRegistry,
    private readonly service: () => LibvirtService,
    /** False while libvirt is unavailable: the tree is empty so the welcome view shows. */
    private readonly available: () => boolean,
    /** Failures of background reads (a clone's image generation) go to the output channel. */
    log: (message: string) => void = () => undefined,
    /** Running clones' addresses (description and tooltip), when the tree reads them. */
    private readonly addresses?: TreeAddresses,
    /** Running clones' live usage (description and tooltip), while the view is visible. */
    private readonly usage?: UsagePoller,
  ) {
    this.generations = new CloneGenerationCache(
      service,
      (uuid) => {
        const node = this.model.clone(uuid);
        if (node) this.emitter.fire([node]);
      },
      (uuid, e) => log(`Could not read the image generation of clone ${this.model.clone(uuid)?.clone.name ?? uuid}: ${e.message}`),
    );
    this.snapshots = new CloneSnapshotCache(
      service,
      (uuids) => {
        const nodes = uuids.map((u) => this.model.clone(u)).filter((n) => n !== undefined);
        if (nodes.length) this.emitter.fire(nodes);
      },
      (e) => log(`Could not read the clones' snapshots: ${e.message}`),
    );
  }

  /** Tell the view what changed (only those items are re-read). */
  fire(changes: ChangeSet): void {
    if (changes.all) {
      const uuids = new Set(this.model.templates.flatMap((t) => t.clones.map((c) => c.key)));
      this.generations.retain(uuids);
      this.snapshots.retain(uuids);
      this.emitter.fire(undefined);
    }
    else if (changes.nodes.length) this.emitter.fire([...changes.nodes]);
  }

  getTreeItem(n: HostViewNode): vscode.TreeItem {
    if (n.kind === 'snapshot') return this.snapshotItem(n);
    return n.kind === 'template' ? this.templateItem(n) : this.cloneItem(n);
  }

  private snapshotItem(n: SnapshotNode): vscode.TreeItem {
    const s = n.snapshot;
    const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.None);
    item.id = n.key;
    item.description = P.snapshotDescription(s);
    item.iconPath = new vscode.ThemeIcon(s.current ? 'pass-filled' : 'circle-outline');
    item.tooltip = new vscode.MarkdownString(P.snapshotTooltip(s, n.parent.clone));
    item.contextValue = P.snapshotContextValue(s);
    return item;
  }

  private templateItem(n: TemplateNode): vscode.TreeItem {
    const t = n.template;
    const item = new vscode.TreeItem(
      t.name,
      n.clones.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    item.id = n.key;
    const used = this.usage?.shownTemplate(t.name, activeNames(n));
    item.description = P.templateDescription(t, P.cloneCount(n), templateGeneration(n)) + (used ? ` · ${used.text}` : '');
    item.iconPath = new vscode.ThemeIcon(
      t.problem ? 'warning' : t.staging ? 'tools' : 'layers',
      t.problem ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    item.contextValue = P.templateContextValue(t, P.cloneCount(n), P.stagingStateOf(n.clones.find((c) => c.clone.staging)?.clone));
    return item;
  }

  private cloneItem(n: CloneNode): vscode.TreeItem {
    const c = n.clone;
    const busy = this.busy.label(c.uuid);
    // A clone with snapshots expands to them.
    const snapshots = this.snapshots.get(n)?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(P.cloneLabel(c), snapshots);
    item.id = n.key;
    const generation = P.shownCloneGeneration(this.generations.get(n), templateGeneration(n.parent));
    const shown = this.addresses?.shown(n);
    const used = isActive(c.state) ? this.usage?.shownClone(c.name) : undefined;
    item.description = P.cloneDescription(c, busy, generation) + (used ? ` · ${used.text}` : '') + (shown?.text ? ` · ${shown.text}` : '');
    const icon = busy ? P.BUSY_ICON : P.STATE_ICON[c.state];
    item.iconPath = new vscode.ThemeIcon(icon.icon, new vscode.ThemeColor(icon.color));
    item.contextValue = P.cloneContextValue(c);
    return item;
  }

  async resolveTreeItem(item: vscode.TreeItem, n: HostViewNode, token: vscode.CancellationToken): Promise<vscode.TreeItem> {
    if (n.kind === 'snapshot') return item;
    if (n.kind === 'template') {
      const used = this.usage?.shownTemplate(n.template.name, activeNames(n))?.tooltip ?? [];
      item.tooltip = new vscode.MarkdownString([P.templateTooltip(n.template, P.cloneCount(n), templateGeneration(n)), ...used].join('\n'));
      return item;
    }
    const service = this.service();
    // Where its overlays were made, as the clone records it; older clones record none: the configured one, said so.
    const storage = n.clone.storage ? { storage: n.clone.storage } : { storage: service.config.storage, storageConfigured: true };
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const disks = await service.cloneDisks(n.clone.uuid, abort.signal);
      // Each overlay names its backing file in its qcow2 header (a file read, no process): after a commit-image an
      // older clone is backed by an older generation than the template's current disks.
      const backing = await Promise.all(disks.map((d) => qcow2Backing(d).catch(() => undefined)));
      const first = backing[0];
      const lastAction = latestByClone(await readPolicyLogs([hookLog(hookPaths()), userPolicyLog(service.config.home)]).catch(() => [])).get(n.clone.uuid);
      item.tooltip = new vscode.MarkdownString(
        P.cloneTooltip(n.clone, {
          disks: disks.map((path, i) => ({ path, ...(backing[i] ? { backing: backing[i] } : {}) })),
          ...storage,
          ...(first && !n.clone.staging
            ? { generation: { clone: generationOf(first), template: templateGeneration(n.parent) } }
            : {}),
          extra: [...(this.addresses?.shown(n)?.tooltip ?? []), ...((isActive(n.clone.state) && this.usage?.shownClone(n.clone.name)?.tooltip) || [])],
          ...(lastAction ? { lastAction } : {}),
        }),
      );
    } catch (e) {
      item.tooltip = new vscode.MarkdownString(
        P.cloneTooltip(n.clone, { ...storage, error: e instanceof Error ? e.message : String(e), extra: this.addresses?.shown(n)?.tooltip ?? [] }),
      );
    } finally {
      sub.dispose();
    }
    return item;
  }

  getChildren(n?: HostViewNode): HostViewNode[] {
    if (!this.available()) return [];
    if (!n) return [...this.model.templates];
    if (n.kind === 'clone') return this.snapshots.get(n) ?? [];
    return n.kind === 'template' ? n.clones : [];
  }

  getParent(n: HostViewNode): HostViewNode | undefined {
    return n.kind === 'template' ? undefined : n.parent;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
