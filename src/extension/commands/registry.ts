import * as vscode from 'vscode';
import type { CommandContext, CommandDefinition } from './types';
import { commonCommands } from './common';
import { currentRows } from './common/targets';
import { prompts } from '../ui/prompts';
import { cloneCommands } from './clones';
import { guestCommands } from './guests';
import { terminalCommands } from './terminal';
import { templateCommands } from './templates';
import { xmlCommands } from './xml';
import { policyCommands } from './policy';
import { diskCommands } from './disks';
import { usageCommands } from './usage';
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
  ...usageCommands,
  ...snapshotCommands,
];

/**
 * Registers every command. A command chosen from a tree row gets that row as the tree has it now (looked up again by
 * its key); when the row is gone (VS Code hands over undefined for a row it no longer knows) it says so and does
 * nothing, instead of asking "which clones?" as from the palette.
 */
export function registerCommands(context: vscode.ExtensionContext, ctx: CommandContext): void {
  for (const c of allCommands) {
    context.subscriptions.push(
      vscode.commands.registerCommand(c.id, (...args: unknown[]) => {
        const rows = currentRows(ctx.tree.model, args);
        if (!rows.ok) {
          void prompts.notify('warning', rows.message);
          return undefined;
        }
        return c.run(ctx, ...rows.args);
      }),
    );
  }
}
