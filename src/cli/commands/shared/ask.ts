import type { CliContext } from '../../context';

/** Asks a yes/no question; false without asking when the CLI may not ask (no terminal, or -q / QUIET). */
export async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const answer = await prompt(ctx, `${question} [y/N] `);
  return /^y(es)?$/i.test(answer ?? '');
}

/** Reads one line from the terminal; undefined when the CLI may not ask (no terminal, or -q / QUIET). */
export async function prompt(ctx: CliContext, question: string): Promise<string | undefined> {
  if (!ctx.canAsk) return undefined;
  return (await ctx.io.ask!(question, ctx.signal)).trim();
}
