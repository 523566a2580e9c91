/**
 * The tree's data, without vscode: nodes with stable identity across refreshes (so the view can be told exactly
 * which items changed), built from an Inventory, and updated optimistically from lifecycle events until the next
 * inventory read confirms. Cheap to run on 500 clones; measured in bench/tree-refresh.ts.
 */
import type { CloneState } from '../../core/states';
import type { CloneInfo, DomainEvent, Inventory, TemplateInfo } from '../../libvirt/api';
import { describePolicy } from '../../libvirt/policy';

export interface TemplateNode {
  readonly kind: 'template';
  readonly key: string;
  /** The connection URI of the host the node belongs to (absent: the first host). */
  readonly host?: string;
  template: TemplateInfo;
  clones: CloneNode[];
}

export interface CloneNode {
  readonly kind: 'clone';
  /** The clone's UUID: libvirt's key, stable across renames. */
  readonly key: string;
  /** The connection URI of the host the node belongs to (absent: the first host). */
  readonly host?: string;
  clone: CloneInfo;
  parent: TemplateNode;
}

export type TreeNode = TemplateNode | CloneNode;

/** What an update changed: `all` (the top level changed) or the nodes whose item or children must be re-read. */
export interface ChangeSet {
  readonly all: boolean;
  readonly nodes: readonly TreeNode[];
}

const NO_CHANGE: ChangeSet = { all: false, nodes: [] };

function sameTemplate(a: TemplateInfo, b: TemplateInfo): boolean {
  return (
    a.name === b.name &&
    a.xmlPath === b.xmlPath &&
    a.problem === b.problem &&
    !!a.staging === !!b.staging &&
    a.disks.join('\n') === b.disks.join('\n') &&
    describePolicy(a.policy) === describePolicy(b.policy) &&
    JSON.stringify(a.identity ?? null) === JSON.stringify(b.identity ?? null)
  );
}

function sameClone(a: CloneInfo, b: CloneInfo): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.state === b.state &&
    a.reason === b.reason &&
    a.saved === b.saved &&
    !!a.staging === !!b.staging &&
    a.template === b.template &&
    a.storage === b.storage &&
    describePolicy(a.policy) === describePolicy(b.policy)
  );
}

/** A template that is gone from the directory while clones of it remain: listed, with the problem said. */
function missingTemplate(name: string): TemplateInfo {
  return { name, xmlPath: '', disks: [], problem: 'template XML file not found; its clones remain' };
}

export class TreeModel {
  /** `host`: the connection URI its nodes carry (commands act on the host of the chosen item). */
  constructor(readonly host?: string) {}

  private roots: TemplateNode[] = [];
  private readonly byUuid = new Map<string, CloneNode>();
  private readonly byName = new Map<string, CloneNode>();

  get templates(): readonly TemplateNode[] {
    return this.roots;
  }

  clone(uuid: string): CloneNode | undefined {
    return this.byUuid.get(uuid);
  }

  cloneByName(name: string): CloneNode | undefined {
    return this.byName.get(name);
  }

  private get tag(): { host?: string } {
    return this.host === undefined ? {} : { host: this.host };
  }

  get cloneCount(): number {
    return this.byUuid.size;
  }

  /** Replace the content with a fresh inventory; keeps node objects whose key survives. */
  update(inv: Inventory): ChangeSet {
    const grouped = new Map<string, CloneInfo[]>();
    for (const t of inv.templates) grouped.set(t.name, []);
    for (const c of inv.clones) {
      let list = grouped.get(c.template);
      if (!list) grouped.set(c.template, (list = []));
      list.push(c);
    }
    const infos = new Map(inv.templates.map((t) => [t.name, t]));
    const names = [...grouped.keys()].sort((a, b) => a.localeCompare(b));
    const oldRoots = new Map(this.roots.map((r) => [r.template.name, r]));
    const all = names.length !== this.roots.length || names.some((n, i) => this.roots[i]?.template.name !== n);
    const changed: TreeNode[] = [];
    const newRoots: TemplateNode[] = [];
    const oldUuids = new Map(this.byUuid);
    this.byUuid.clear();
    this.byName.clear();

    for (const name of names) {
      const info = infos.get(name) ?? missingTemplate(name);
      let node = oldRoots.get(name);
      let nodeChanged = false;
      if (!node) {
        node = { kind: 'template', key: `template:${name}`, ...this.tag, template: info, clones: [] };
        nodeChanged = true;
      } else if (!sameTemplate(node.template, info)) {
        node.template = info;
        nodeChanged = true;
      }
      const list = grouped.get(name)!.sort((a, b) => a.id - b.id);
      const children: CloneNode[] = [];
      const changedChildren: CloneNode[] = [];
      for (const c of list) {
        let child = oldUuids.get(c.uuid);
        if (!child || child.parent !== node) {
          child = { kind: 'clone', key: c.uuid, ...this.tag, clone: c, parent: node };
        } else if (!sameClone(child.clone, c)) {
          child.clone = c;
          changedChildren.push(child);
        }
        children.push(child);
        this.byUuid.set(c.uuid, child);
        this.byName.set(c.name, child);
      }
      if (children.length !== node.clones.length || children.some((ch, i) => node.clones[i] !== ch)) {
        nodeChanged = true;
      }
      node.clones = children;
      // A template's menus follow its staging clone's state (Force Off while it runs, Commit once it is off).
      if (changedChildren.some((ch) => ch.clone.staging)) nodeChanged = true;
      if (nodeChanged) changed.push(node);
      else changed.push(...changedChildren);
      newRoots.push(node);
    }
    this.roots = newRoots;
    if (all) return { all: true, nodes: [] };
    return changed.length ? { all: false, nodes: changed } : NO_CHANGE;
  }

  /**
   * Apply a lifecycle event at once, before the inventory read that confirms it: the state a user sees follows the
   * event within the debounce, not within a full re-read. Unknown domains and structural events change nothing here.
   */
  applyEvent(e: DomainEvent): ChangeSet {
    const node = this.byName.get(e.domain);
    if (!node) return NO_CHANGE;
    const next = stateFromEvent(e, node.clone);
    if (!next || (next.state === node.clone.state && next.reason === node.clone.reason)) return NO_CHANGE;
    node.clone = { ...node.clone, ...next };
    // The staging clone's state decides its template's menus: that item is rendered again too.
    return { all: false, nodes: node.clone.staging ? [node.parent, node] : [node] };
  }
}

/** libvirt lifecycle event (virsh event names, any case) -> the state it leads to; undefined if not a state change. */
export function stateFromEvent(
  e: DomainEvent,
  current: CloneInfo,
): { state: CloneState; reason: string; saved: boolean } | undefined {
  const event = e.event.trim().toLowerCase();
  const detail = e.detail.trim().toLowerCase();
  switch (event) {
    case 'started':
      return { state: 'running', reason: detail || 'booted', saved: false };
    case 'resumed':
      return { state: 'running', reason: detail === 'unpaused' || !detail ? 'unpaused' : detail, saved: current.saved };
    case 'suspended':
      return { state: 'paused', reason: detail === 'paused' || !detail ? 'user' : detail, saved: current.saved };
    case 'stopped':
      if (detail === 'saved') return { state: 'saved', reason: 'saved', saved: true };
      return { state: 'off', reason: detail || 'shutdown', saved: current.saved };
    case 'shutdown':
      return { state: 'in-shutdown', reason: 'user', saved: current.saved };
    case 'pmsuspended':
      return { state: 'pmsuspended', reason: detail || 'unknown', saved: current.saved };
    case 'crashed':
      return { state: 'crashed', reason: detail || 'unknown', saved: current.saved };
    default:
      return undefined;
  }
}
