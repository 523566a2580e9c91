import * as path from 'node:path';
import * as vscode from 'vscode';
import { asQq2Error } from '../../../core/errors';
import type { CloneInfo } from '../../../libvirt/api';
import { isVncDisplay, noVncText, vncDisplayOf } from '../../../libvirt/display';
import { openConsoleTab, type ConsoleTab } from '../../panel/consoleTab';
import type { CommandContext } from '../types';

/** The extension's folder: the bundle runs from its dist/. */
const EXTENSION_DIR = vscode.Uri.file(path.dirname(__dirname));

/** The console tabs opened, and why the other clones got none. */
export interface ConsoleTabsOpened {
  readonly tabs: ConsoleTab[];
  /** One sentence per clone without a tab. */
  readonly why: string[];
  /** The clones without a tab because their graphics are SPICE only (a SPICE viewer is their way). */
  readonly spiceOnly: CloneInfo[];
}

/**
 * Opens (or reveals) a console tab for each clone that `running` says runs and whose live definition has a VNC
 * display; what Open Console and Connect (in a browser or remote window) share.
 */
export async function openConsoleTabs(ctx: CommandContext, clones: readonly CloneInfo[], running: (c: CloneInfo) => boolean): Promise<ConsoleTabsOpened> {
  const opened: ConsoleTabsOpened = { tabs: [], why: [], spiceOnly: [] };
  for (const clone of clones) {
    if (!running(clone)) {
      opened.why.push(`${clone.name} is ${clone.state}: start it first`);
      continue;
    }
    try {
      const d = vncDisplayOf(await ctx.host.service.domainXml(clone.uuid, { inactive: false }));
      if (!isVncDisplay(d)) {
        if (d.kind === 'not-vnc' && d.types.includes('spice')) opened.spiceOnly.push(clone);
        opened.why.push(`${clone.name}: ${noVncText(d)}`);
        continue;
      }
    } catch (e) {
      opened.why.push(`${clone.name}: ${asQq2Error(e).message}`);
      continue;
    }
    const target = { service: () => ctx.host.service, uuid: clone.uuid, name: clone.name, log: (l: string) => ctx.output.warn(l) };
    opened.tabs.push(openConsoleTab(target, ctx.extensionUri ?? EXTENSION_DIR));
  }
  return opened;
}
