/**
 * The host a command acts on, when several are configured: that of the item it was chosen on (nodes carry their
 * host), a `host` named in its arguments, or from the palette the one the user picks. The command then runs with that
 * host's service and tree, so every command works on any host without knowing there are several.
 */
import type { ServiceHost } from '../serviceHost';
import type { TreeApi, ViewNode } from '../tree';
import { prompts } from '../ui/prompts';
import type { CommandContext, CommandDefinition } from './types';

const isViewNode = (x: unknown): x is ViewNode =>
  typeof x === 'object' && x !== null && ['host', 'template', 'clone', 'snapshot'].includes((x as { kind?: unknown }).kind as string);

/** The URI named by `{host: URI, ...}` arguments (a SET with its host, from keybindings and tests). */
const namedHost = (x: unknown): string | undefined =>
  typeof x === 'object' && x !== null && !isViewNode(x) && typeof (x as { host?: unknown }).host === 'string' ? (x as { host: string }).host : undefined;

/** The tree of the host the arguments name or belong to; undefined when they name none. */
function argumentHost(tree: TreeApi, args: readonly unknown[]): TreeApi | 'unknown' | 'several' | undefined {
  const nodes = [args[0], ...(Array.isArray(args[1]) ? (args[1] as unknown[]) : [])].filter(isViewNode);
  if (nodes.length) {
    const trees = [...new Set(nodes.map((n) => tree.forNode(n)))];
    return trees.length === 1 ? trees[0] : 'several';
  }
  const uri = namedHost(args[0]);
  if (uri === undefined) return undefined;
  return tree.forHost(uri) ?? 'unknown';
}

/** Asks which host (several configured); undefined: the user cancelled. */
async function pickHost(tree: TreeApi, title: string): Promise<TreeApi | undefined> {
  const items = tree.hosts.map((h) => ({
    label: h.label,
    description: h.label === h.uri ? '' : h.uri,
    detail: h.unavailable ? `unavailable: ${h.unavailable.message}` : undefined,
    host: h,
  }));
  const chosen = await prompts.quickPick(items, { title, placeHolder: 'Which host?' });
  return chosen?.host;
}

/** The context to run the command in, or why it does not run (undefined message: cancelled). */
export async function scopeOf(
  c: CommandDefinition,
  ctx: CommandContext,
  hosts: ServiceHost,
  args: readonly unknown[],
): Promise<{ ok: true; ctx: CommandContext } | { ok: false; message?: string }> {
  const all = ctx.tree;
  if ((c.hosts ?? 'host') === 'any') return { ok: true, ctx };
  let tree = argumentHost(all, args);
  // A row VS Code no longer knows (undefined where the palette passes nothing): the registry says so, no question.
  if (!tree && args.length > 0 && (args[0] === undefined || args[0] === null)) return { ok: true, ctx };
  if (tree === 'unknown') return { ok: false, message: `The host ${namedHost(args[0])} is not one of qq2clone.connections: nothing was done.` };
  if (tree === 'several') return { ok: false, message: 'The chosen items belong to more than one host: choose items of one host, then run the command again. Nothing was done.' };
  if (c.hosts === 'first') {
    if (tree && tree.uri !== all.hosts[0]?.uri)
      return { ok: false, message: `This command works on the first host (${all.hosts[0]?.label}) only so far; ${tree.label} is another host: nothing was done.` };
    return { ok: true, ctx: { ...ctx, tree: all.hosts[0] ?? all } };
  }
  if (!tree) tree = all.hosts.length > 1 ? await pickHost(all, c.id) : all.hosts[0];
  if (!tree) return { ok: false };
  const entry = hosts.host(tree.uri) ?? hosts.host(undefined)!;
  return { ok: true, ctx: { ...ctx, host: entry, tree } };
}
