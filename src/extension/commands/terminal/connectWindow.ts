import * as vscode from 'vscode';
import type { CloneInfo } from '../../../libvirt/api';
import type { ConsoleTab } from '../../panel/consoleTab';
import type { ConnectReport } from '../../ui/connectText';
import { prompts } from '../../ui/prompts';
import { remoteConnectMessage } from '../../ui/remoteWindow';
import { uiSettings } from '../../ui/settings';
import type { CommandContext } from '../types';
import { openConsoleTabs } from './consoleTabs';

const SHOW_SCREEN = 'Show Screen';
const CONSOLE = 'Open Serial Console';

/** What works in a browser or remote window: the screen in an editor tab, the serial console in a terminal. */
function offerInWindow(ctx: CommandContext, message: string, node: unknown, count: number): void {
  // One clone clicked: the action acts on it; otherwise the command asks which.
  const target = count === 1 && typeof node === 'object' && node !== null && 'kind' in node ? node : undefined;
  ctx.output.info(message);
  void prompts.notify('info', message, SHOW_SCREEN, CONSOLE).then((choice) => {
    if (choice === SHOW_SCREEN) void vscode.commands.executeCommand('qq2clone.showScreen', target);
    else if (choice === CONSOLE) void vscode.commands.executeCommand('qq2clone.openConsole', target);
  });
}

/** What Connect returns: in a browser or remote window, also the console tabs it opened. */
export type ConnectOutcome = ConnectReport & { readonly consoles?: readonly ConsoleTab[] };

/**
 * Connect in a browser or remote window: the clones with a VNC display get their console tab (the screen in this
 * window); the others are offered Show Screen and the serial console.
 */
export async function connectInWindow(ctx: CommandContext, report: ConnectReport, unseen: string, node: unknown, clones: readonly CloneInfo[]): Promise<ConnectOutcome> {
  const failed = new Set((report.started?.failed ?? []).map((f) => f.clone.uuid));
  const { tabs } = await openConsoleTabs(ctx, clones, (c) => !failed.has(c.uuid));
  const started = report.started?.done.length ?? 0;
  const rest = clones.filter((c) => !tabs.some((t) => t.target.uuid === c.uuid));
  if (tabs.length) {
    const message = `Connect: started ${started}; opened the console of ${tabs.map((t) => t.target.name).join(', ')} in this window (${unseen}, so a SPICE viewer would not be seen).`;
    ctx.output.info(message);
    if (!rest.length && !uiSettings().quiet) void prompts.notify('info', message);
  }
  // The clicked clone is the target of the offer only when the offer is about it alone.
  if (rest.length) offerInWindow(ctx, remoteConnectMessage(unseen, started, rest.map((c) => c.name)), rest.length === clones.length ? node : undefined, rest.length);
  return { ...report, consoles: tabs };
}
