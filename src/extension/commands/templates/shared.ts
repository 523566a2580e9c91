/**
 * What the template commands share: which template a command acts on (tree node, a { template } argument, or a
 * pick from the palette), the dependencies of the template operations, and running one with progress, a result
 * notification and a refresh.
 */
import { CancelledError, asQq2Error } from '../../../core/errors';
import type { TemplateDeps } from '../../../libvirt/templates';
import { pickTemplate } from '../../ui/pickTemplate';
import { prompts } from '../../ui/prompts';
import { templateProblems } from '../../../libvirt/validation';
import { freshInventory } from '../common/chooseTargets';
import { isTreeNode } from '../common/targets';
import type { CommandContext } from '../types';

/** Arguments a test, a keybinding or another command may pass instead of a tree node. */
export interface TemplateArgs {
  readonly template?: string;
  readonly newName?: string;
  readonly source?: string;
  /** Answer confirmations with yes (tests, scripted use). */
  readonly confirmed?: boolean;
}

export function argsOf(node: unknown): TemplateArgs {
  return typeof node === 'object' && node !== null && !isTreeNode(node) ? (node as TemplateArgs) : {};
}

/** The template the command acts on; undefined when cancelled. */
export async function chooseTemplate(ctx: CommandContext, node: unknown, title: string): Promise<string | undefined> {
  if (isTreeNode(node)) return node.kind === 'template' ? node.template.name : node.clone.template;
  const given = argsOf(node).template;
  if (given) return given;
  const inv = await freshInventory(ctx);
  return inv ? pickTemplate(inv, title) : undefined;
}

export function extensionTemplateDeps(ctx: CommandContext): TemplateDeps {
  return {
    svc: ctx.host.service,
    validate: templateProblems,
  };
}

/**
 * Runs a template operation under a cancellable progress notification, tells the outcome (messages go to the
 * output channel too), and refreshes the tree. Resolves to the operation's value, or undefined when it failed.
 */
export async function runTemplateOp<T>(
  ctx: CommandContext,
  title: string,
  work: (signal: AbortSignal) => Promise<T>,
  describe: (value: T) => readonly string[],
): Promise<T | undefined> {
  try {
    const value = await prompts.progress(title, 1, async (signal, done) => {
      const v = await work(signal);
      done(1);
      return v;
    });
    const lines = describe(value);
    for (const l of lines) ctx.output.info(`${title}: ${l}`);
    if (lines.length) void prompts.notify('info', `${title}: ${lines.join(' ')}`);
    return value;
  } catch (e) {
    const err = asQq2Error(e);
    if (err instanceof CancelledError) return undefined;
    ctx.output.error(`${title} failed: ${err.message}${err.failure.stderr ? `\n${err.failure.stderr}` : ''}`);
    void prompts.notify('error', `${title}: ${err.message}`);
    return undefined;
  } finally {
    ctx.tree.requestRefresh();
  }
}
