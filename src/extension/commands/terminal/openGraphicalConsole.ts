import * as vscode from 'vscode';
import { isActive } from '../../../core/operations';
import type { ConsoleTab } from '../../panel/consoleTab';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { openConsoleTabs } from './consoleTabs';
import { chooseClones } from './targets';

const CONNECT = 'Connect with a SPICE Viewer';

/**
 * Open Console: the screen of each running clone of the selection or SET in an editor tab (noVNC in the page, the
 * VNC connection held by the extension host). Clones not running, or without a VNC display, are named with why;
 * clones with SPICE graphics only are offered Connect (a SPICE viewer on this machine) instead. Returns the tabs opened.
 */
export const openGraphicalConsoleCommand: CommandDefinition = {
  id: 'qq2clone.openGraphicalConsole',
  hosts: 'first',
  run: async (ctx, node?, nodes?): Promise<ConsoleTab[] | undefined> => {
    const clones = await chooseClones(ctx, 'Open Console', node, nodes);
    if (!clones) return undefined;
    const { tabs, why, spiceOnly } = await openConsoleTabs(ctx, clones, (c) => isActive(c.state));
    if (why.length) {
      const message = `Open Console: ${why.join('; ')}.`;
      ctx.output.warn(message);
      if (!spiceOnly.length) void prompts.notify('warning', message);
      else {
        // One clone clicked: Connect acts on it; otherwise it asks which.
        const target = clones.length === 1 ? node : undefined;
        void prompts.notify('warning', message, CONNECT).then((c) => c === CONNECT && vscode.commands.executeCommand('qq2clone.connect', target));
      }
    }
    return tabs;
  },
};
