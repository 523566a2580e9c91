import * as vscode from 'vscode';
import { ServiceHost } from './serviceHost';
import { registerTree } from './tree';
import { registerCommands } from './commands/registry';
import { registerXmlDocuments } from './xml';
import { registerPolicies } from './policy/register';
import { registerDisk } from './disks';
import type { TreeApi } from './tree';
import { prompts, type Prompts } from './ui/prompts';
import { registerStatusBar } from './status/statusBar';
import { warnIfKvmUnusable } from './status/kvmWarning';
import { showFirstStart } from './status/firstStart';
import { describeSlowCall, onSlowCall } from '../libvirt/process';

/** What activate() returns: the extension-host tests read the tree through it. */
export interface Qq2cloneExports {
  readonly tree: TreeApi;
  /** The questions and notifications of the commands; tests answer them by replacing members. */
  readonly prompts: Prompts;
  /** The status bar entry (connection and clones running). */
  readonly statusBar: vscode.StatusBarItem;
}

/** Wires the parts together; each part registers its own disposables. */
export function activate(context: vscode.ExtensionContext): Qq2cloneExports {
  const output = vscode.window.createOutputChannel('qq2clone', { log: true });
  const host = new ServiceHost((m) => output.warn(m));
  context.subscriptions.push(output, host);
  const tree = registerTree(context, host, output);
  const disk = registerDisk(context, host, output);
  registerCommands(context, { host, tree, output, globalState: context.globalState, disk, extensionUri: context.extensionUri }, host);
  registerXmlDocuments(context, host, output);
  void warnIfKvmUnusable(host.service.config.uri, output);
  const stopSlowReports = onSlowCall((c) => output.warn(`slow libvirt call: ${describeSlowCall(c)}`));
  context.subscriptions.push({ dispose: stopSlowReports });
  context.subscriptions.push(host.onDidChangeService((svc) => void warnIfKvmUnusable(svc.config.uri, output)));
  registerPolicies(context, host, tree, output);
  const statusBar = registerStatusBar(context, host, tree);
  void showFirstStart(context).catch((e: unknown) => output.warn(`first start: ${String(e)}`));
  return { tree, prompts, statusBar };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
