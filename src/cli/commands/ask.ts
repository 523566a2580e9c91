import * as readline from 'node:readline/promises';
import type { CliContext } from '../context';

/** Asks a yes/no question on the terminal; false without asking when stdin is not a terminal. */
export async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const answer = await prompt(ctx, `${question} [y/N] `);
  return /^y(es)?$/i.test(answer ?? '');
}

/** Reads one line from the terminal; undefined when stdin is not a terminal. */
export async function prompt(ctx: CliContext, question: string): Promise<string | undefined> {
  if (!ctx.io.stdinIsTTY) return undefined;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question, { signal: ctx.signal })).trim();
  } finally {
    rl.close();
  }
}
