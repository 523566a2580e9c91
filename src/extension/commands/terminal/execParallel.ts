import type { CommandDefinition } from '../types';
import { runExec } from './runExec';

/**
 * exec for long-running or interactive commands: every clone at once, each in its own terminal named after the
 * clone, with the same per-clone variables. Args: (node?, nodes?, { command }?).
 */
export const execParallelCommand: CommandDefinition = {
  id: 'qq2clone.execParallel',
  run: (ctx, node?, nodes?, args?) => runExec(ctx, true, node, nodes, args),
};
