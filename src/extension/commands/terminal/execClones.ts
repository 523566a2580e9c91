import type { CommandDefinition } from '../types';
import { runExec } from './runExec';

/**
 * exec (manual: CLONE COMMANDS): runs a command string once per clone, in clone-number order, in one terminal,
 * with $uuid, $name and $disks set; stops at the first non-zero exit. Args: (node?, nodes?, { command }?).
 */
export const execClonesCommand: CommandDefinition = {
  id: 'qq2clone.exec',
  run: (ctx, node?, nodes?, args?) => runExec(ctx, false, node, nodes, args),
};
