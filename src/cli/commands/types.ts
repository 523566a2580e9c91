import type { CliContext } from '../context';

/** One CLI command: its word, how to call it, and what it does. */
export interface CliCommand {
  /** The command word, e.g. "start". */
  readonly name: string;
  /** Arguments as -h shows them, e.g. "SET". */
  readonly usage: string;
  readonly summary: string;
  /** Its output is its purpose (list, exec, config list...): still printed under -Q (manual: -Q/--quieter). */
  readonly speaksUnderQuieter?: boolean;
  run(ctx: CliContext, args: readonly string[]): Promise<void>;
}
