import * as vscode from 'vscode';
import { ServiceHost } from './serviceHost';
import { registerTree } from './tree';
import { registerCommands } from './commands/registry';
import { registerXmlDocuments } from './xml';

/** Wires the parts together; each part registers its own disposables. */
export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('qq2clone', { log: true });
  const host = new ServiceHost();
  context.subscriptions.push(output, host);
  const tree = registerTree(context, host, output);
  registerCommands(context, { host, tree, output });
  registerXmlDocuments(context, host, output);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
