import * as vscode from 'vscode';
import type { CommandContext, CommandDefinition } from './types';
import { commonCommands } from './common';
import { cloneCommands } from './clones';
import { guestCommands } from './guests';
import { terminalCommands } from './terminal';
import { templateCommands } from './templates';
import { xmlCommands } from './xml';
import { policyCommands } from './policy';
import { diskCommands } from './disk';
import { snapshotCommands } from './snapshots';

/**
 * The one list of commands. Each noun folder exports its own array; package.json's contributes.commands must
 * name exactly these ids (a unit test checks both ways).
 */
export const allCommands: readonly CommandDefinition[] = [
  ...commonCommands,
  ...cloneCommands,
  ...guestCommands,
  ...terminalCommands,
  ...templateCommands,
  ...xmlCommands,
  ...diskCommands,
  ...policyCommands,
  ...snapshotCommands,
];

export function registerCommands(context: vscode.ExtensionContext, ctx: CommandContext): void {
  for (const c of allCommands) {
    context.subscriptions.push(vscode.commands.registerCommand(c.id, (...args: unknown[]) => c.run(ctx, ...args)));
  }
}
