import type { CliContext } from '../../context';

/** One CLI command: its word, how to call it, and what it does. */
export interface CliCommand {
  /** The command word, e.g. "start". */
  readonly name: string;
  /** Arguments as -h shows them, e.g. "SET". */
  readonly usage: string;
  readonly summary: string;
  /**
   * Its output is its purpose (list, exec, config list...) or it is interactive: still printed under -Q (manual:
   * -Q/--quieter). A function decides per arguments (modify-template NAME edit speaks, its other sub-commands not).
   */
  readonly speaksUnderQuieter?: boolean | ((args: readonly string[]) => boolean);
  /**
   * How many virsh sessions its run uses from the start: the built CLI starts them before it loads the command's
   * code (bin.ts). Absent: none are started early (the command starts what it needs itself, or needs none).
   */
  readonly sessions?: number;
  run(ctx: CliContext, args: readonly string[]): Promise<void>;
}
