/**
 * Which clones a command acts on: from tree nodes (skipping what does not fit, with the reason) or from a template
 * and a SET. Pure (no vscode): the unit tests and the extension-host tests use the same functions as the commands.
 */
import { operationAccepts, type AnyOperationName } from '../../../core/operations';
import { chooseBySet } from '../../../core/set';
import type { CloneInfo, CloneRef, Inventory } from '../../../libvirt/api';
import type { CloneNode, TemplateNode, TreeNode } from '../../tree/model';
import { cloneWhat, type Skip } from '../../ui/cloneWords';

export interface Targets {
  readonly clones: CloneInfo[];
  readonly skipped: Skip[];
}

/** A command's arguments when invoked with a SET (keybindings, other commands, tests): template and SET text. */
export interface SetArgs {
  readonly template?: string;
  readonly set: string;
}

export function isSetArgs(x: unknown): x is SetArgs {
  return typeof x === 'object' && x !== null && typeof (x as SetArgs).set === 'string' && !('kind' in x);
}

export function isTreeNode(x: unknown): x is TreeNode {
  return typeof x === 'object' && x !== null && ((x as TreeNode).kind === 'clone' || (x as TreeNode).kind === 'template');
}

/**
 * VS Code passes (clicked node, all selected nodes). The selection is used only if it contains the clicked item
 * (a right-click outside the selection acts on that item alone); without a clicked item, the selection.
 */
export function selectedNodes(node: unknown, nodes: unknown): TreeNode[] {
  const many = Array.isArray(nodes) ? nodes.filter(isTreeNode) : [];
  if (!isTreeNode(node)) return many;
  return many.some((n) => n.key === node.key) ? many : [node];
}

/** What a command needs of the tree to look its rows up again. */
export interface RowLookup {
  clone(uuid: string): CloneNode | undefined;
  readonly templates: readonly TemplateNode[];
}

/** A command's arguments with its rows as the tree has them now, or why it must not run. */
export type RowCheck = { readonly ok: true; readonly args: unknown[] } | { readonly ok: false; readonly message: string };

const LOST_ROW = 'The item you chose is no longer in the tree (it changed before the click): nothing was done. Choose it again.';

/**
 * A command's arguments (node?, nodes?, ...) with each tree node replaced by the node the tree has now under its key.
 * VS Code passes undefined (or null) for a row whose handle it no longer knows, where the palette passes no
 * argument at all: such a command, or one whose row was removed meanwhile, must not run (and must not fall back
 * to asking which clones, as from the palette).
 */
export function currentRows(tree: RowLookup, args: readonly unknown[]): RowCheck {
  const noNode = args.length > 0 && (args[0] === undefined || args[0] === null);
  // (undefined, [nodes]) is a selection without a clicked item (other commands and tests pass that): not lost.
  const selection = Array.isArray(args[1]) && args[1].length > 0 ? (args[1] as unknown[]) : undefined;
  if (noNode && !selection) return { ok: false, message: LOST_ROW };
  const now = (n: TreeNode): TreeNode | undefined => (n.kind === 'clone' ? tree.clone(n.key) : tree.templates.find((t) => t.key === n.key));
  const gone = (n: TreeNode): RowCheck => ({
    ok: false,
    message: `${n.kind === 'clone' ? cloneWhat(n.clone) : `template ${n.template.name}`} is no longer in the tree (it was removed meanwhile): nothing was done.`,
  });
  const out = [...args];
  if (isTreeNode(args[0])) {
    const n = now(args[0]);
    if (!n) return gone(args[0]);
    out[0] = n;
  }
  if ((isTreeNode(args[0]) || noNode) && selection) {
    const list: TreeNode[] = [];
    for (const x of selection) {
      if (x === undefined || x === null) return { ok: false, message: LOST_ROW };
      if (!isTreeNode(x)) return { ok: true, args: [...args] };
      const n = now(x);
      if (!n) return gone(x);
      list.push(n);
    }
    out[1] = list;
  }
  return { ok: true, args: out };
}

export function refOf(c: CloneInfo): CloneRef {
  return { template: c.template, id: c.id, uuid: c.uuid, name: c.name };
}

/** The clones among tree nodes that `operation` can act upon; the rest are skipped with a reason. */
export function targetsFromNodes(operation: AnyOperationName, nodes: readonly TreeNode[]): Targets {
  const clones: CloneInfo[] = [];
  const skipped: Skip[] = [];
  const seen = new Set<string>();
  for (const n of nodes) {
    if (n.kind === 'template') {
      skipped.push({ what: `template ${n.template.name}`, reason: 'not a clone' });
      continue;
    }
    const c = n.clone;
    if (seen.has(c.uuid)) continue;
    seen.add(c.uuid);
    if (c.staging) skipped.push({ what: cloneWhat(c), reason: 'the staging clone is managed by the template commands' });
    else if (!operationAccepts(operation, c.state)) skipped.push({ what: cloneWhat(c), reason: `it is ${c.state}` });
    else clones.push(c);
  }
  clones.sort((a, b) => a.template.localeCompare(b.template) || a.id - b.id);
  return { clones, skipped };
}

/**
 * The clones of `template` that `set` names and `operation` can act upon, in number order. Throws the core's
 * UsageError when the SET is malformed, names no existing machine, or none the operation applies to.
 */
export function targetsFromSet(
  inventory: Inventory,
  template: string,
  set: string,
  operation?: AnyOperationName,
): Targets {
  const ofTemplate = inventory.clones.filter((c) => c.template === template);
  const choice = chooseBySet(set, ofTemplate, operation && { command: operation, accepts: (c) => operationAccepts(operation, c.state) });
  return { clones: choice.chosen, skipped: choice.skipped.map((c) => ({ what: cloneWhat(c), reason: `it is ${c.state}` })) };
}
