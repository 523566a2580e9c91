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
import { scopeOf } from './hostScope';
import type { ServiceHost } from '../serviceHost';

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
 * Registers every command, each run with the service and tree of the host it acts on (`hostScope.ts`). A command chosen from a tree row gets that row as the tree has it now (looked up again by
 * its key); when the row is gone (VS Code hands over undefined for a row it no longer knows) it says so and does
 * nothing, instead of asking "which clones?" as from the palette.
 */
export function registerCommands(context: vscode.ExtensionContext, ctx: CommandContext, hosts: ServiceHost): void {
  for (const c of allCommands) {
    context.subscriptions.push(
      vscode.commands.registerCommand(c.id, async (...args: unknown[]) => {
        // The host of the command's item, or the one picked (several hosts): its service and tree.
        const scope = await scopeOf(c, ctx, hosts, args);
        if (!scope.ok) {
          if (scope.message) void prompts.notify('warning', scope.message);
          return undefined;
        }
        const rows = currentRows(scope.ctx.tree.model, args);
        if (!rows.ok) {
          void prompts.notify('warning', rows.message);
          return undefined;
        }
        return c.run(scope.ctx, ...rows.args);
      }),
    );
  }
}
