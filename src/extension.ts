import * as vscode from 'vscode';
import { ServiceHost } from './serviceHost';
import { registerTree } from './tree';
import { registerCommands } from './commands/registry';
import { registerXmlDocuments } from './xml';
import { registerPolicies } from './policy/register';
import type { TreeApi } from './tree';
import { prompts, type Prompts } from './ui/prompts';

/** What activate() returns: the extension-host tests read the tree through it. */
export interface Qq2cloneExports {
  readonly tree: TreeApi;
  /** The questions and notifications of the commands; tests answer them by replacing members. */
  readonly prompts: Prompts;
}

/** Wires the parts together; each part registers its own disposables. */
export function activate(context: vscode.ExtensionContext): Qq2cloneExports {
  const output = vscode.window.createOutputChannel('qq2clone', { log: true });
  const host = new ServiceHost();
  context.subscriptions.push(output, host);
  const tree = registerTree(context, host, output);
  registerCommands(context, { host, tree, output, globalState: context.globalState });
  registerXmlDocuments(context, host, output);
  registerPolicies(context, host, tree, output);
  return { tree, prompts };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
