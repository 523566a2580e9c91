import * as path from 'node:path';
import * as vscode from 'vscode';
import { asQq2Error } from '../../../core/errors';
import { isActive } from '../../../core/operations';
import { isVncDisplay, noVncText, vncDisplayOf } from '../../../libvirt/display';
import { openConsoleTab, type ConsoleTab } from '../../panel/consoleTab';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { chooseClones } from './targets';

/** The extension's folder: the bundle runs from its dist/. */
const EXTENSION_DIR = vscode.Uri.file(path.dirname(__dirname));
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
    const tabs: ConsoleTab[] = [];
    const why: string[] = [];
    let spiceOnly = 0;
    for (const clone of clones) {
      if (!isActive(clone.state)) {
        why.push(`${clone.name} is ${clone.state}: start it first`);
        continue;
      }
      try {
        const d = vncDisplayOf(await ctx.host.service.domainXml(clone.uuid, { inactive: false }));
        if (!isVncDisplay(d)) {
          if (d.kind === 'not-vnc' && d.types.includes('spice')) spiceOnly++;
          why.push(`${clone.name}: ${noVncText(d)}`);
          continue;
        }
      } catch (e) {
        why.push(`${clone.name}: ${asQq2Error(e).message}`);
        continue;
      }
      tabs.push(openConsoleTab({ service: () => ctx.host.service, uuid: clone.uuid, name: clone.name, log: (l) => ctx.output.warn(l) }, ctx.extensionUri ?? EXTENSION_DIR));
    }
    if (why.length) {
      const message = `Open Console: ${why.join('; ')}.`;
      ctx.output.warn(message);
      if (!spiceOnly) void prompts.notify('warning', message);
      else {
        // One clone clicked: Connect acts on it; otherwise it asks which.
        const target = clones.length === 1 ? node : undefined;
        void prompts.notify('warning', message, CONNECT).then((c) => c === CONNECT && vscode.commands.executeCommand('qq2clone.connect', target));
      }
    }
    return tabs;
  },
};
