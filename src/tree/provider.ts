import * as vscode from 'vscode';
import type { LibvirtService } from '../libvirt/api';
import type { BusyRegistry } from '../ui/busy';
import type { ChangeSet, CloneNode, TemplateNode, TreeModel, TreeNode } from './model';
import * as P from './presentation';

/** Turns the model into TreeItems; tooltips (disks, backing files, storage) are read only on hover. */
export class TemplatesProvider implements vscode.TreeDataProvider<TreeNode> {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(
    private readonly model: TreeModel,
    private readonly busy: BusyRegistry,
    private readonly service: () => LibvirtService,
    /** False while libvirt is unavailable: the tree is empty so the welcome view shows. */
    private readonly available: () => boolean,
  ) {}

  /** Tell the view what changed (only those items are re-read). */
  fire(changes: ChangeSet): void {
    if (changes.all) this.emitter.fire(undefined);
    else if (changes.nodes.length) this.emitter.fire([...changes.nodes]);
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    return n.kind === 'template' ? this.templateItem(n) : this.cloneItem(n);
  }

  private templateItem(n: TemplateNode): vscode.TreeItem {
    const t = n.template;
    const item = new vscode.TreeItem(
      t.name,
      n.clones.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    item.id = n.key;
    item.description = P.templateDescription(t, n.clones.filter((c) => !c.clone.staging).length);
    item.iconPath = new vscode.ThemeIcon(
      t.problem ? 'warning' : t.staging ? 'tools' : 'layers',
      t.problem ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    item.contextValue = t.problem ? P.BROKEN_TEMPLATE_CONTEXT : P.TEMPLATE_CONTEXT;
    return item;
  }

  private cloneItem(n: CloneNode): vscode.TreeItem {
    const c = n.clone;
    const busy = this.busy.label(c.uuid);
    const item = new vscode.TreeItem(P.cloneLabel(c), vscode.TreeItemCollapsibleState.None);
    item.id = n.key;
    item.description = P.cloneDescription(c, busy);
    const icon = busy ? P.BUSY_ICON : P.STATE_ICON[c.state];
    item.iconPath = new vscode.ThemeIcon(icon.icon, new vscode.ThemeColor(icon.color));
    item.contextValue = P.cloneContextValue(c);
    return item;
  }

  async resolveTreeItem(item: vscode.TreeItem, n: TreeNode, token: vscode.CancellationToken): Promise<vscode.TreeItem> {
    if (n.kind === 'template') {
      item.tooltip = new vscode.MarkdownString(P.templateTooltip(n.template, n.clones.length));
      return item;
    }
    const service = this.service();
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const disks = await service.cloneDisks(n.clone.uuid, abort.signal);
      // A clone's overlays are made in the template's device order, so the i-th disk is backed by the i-th one.
      const backing = n.parent.template.disks;
      item.tooltip = new vscode.MarkdownString(
        P.cloneTooltip(n.clone, {
          disks: disks.map((path, i) => ({ path, ...(backing[i] ? { backing: backing[i] } : {}) })),
          storage: service.config.storage,
        }),
      );
    } catch (e) {
      item.tooltip = new vscode.MarkdownString(
        P.cloneTooltip(n.clone, { storage: service.config.storage, error: e instanceof Error ? e.message : String(e) }),
      );
    } finally {
      sub.dispose();
    }
    return item;
  }

  getChildren(n?: TreeNode): TreeNode[] {
    if (!this.available()) return [];
    if (!n) return [...this.model.templates];
    return n.kind === 'template' ? n.clones : [];
  }

  getParent(n: TreeNode): TreeNode | undefined {
    return n.kind === 'clone' ? n.parent : undefined;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
