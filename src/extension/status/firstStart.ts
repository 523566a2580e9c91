import * as vscode from 'vscode';

/** The file in the extension's global storage whose presence means the first start was shown. */
export const FIRST_START_MARKER = 'first-start-shown';

/**
 * On the first activation of an installed extension, reveals the qq2clone view and opens the *Get Started*
 * walkthrough, once per user. The note is a file in globalStorageUri, not globalState: code-server keeps globalState
 * in the browser (per browser and per port), where the walkthrough would come back with every new browser or port.
 * Not under development or tests (extensionMode), whose windows start from fresh state every time.
 */
export async function showFirstStart(context: vscode.ExtensionContext): Promise<void> {
  if (context.extensionMode !== vscode.ExtensionMode.Production) return;
  const marker = vscode.Uri.joinPath(context.globalStorageUri, FIRST_START_MARKER);
  const seen = await vscode.workspace.fs.stat(marker).then(
    () => true,
    () => false,
  );
  if (seen) return;
  await vscode.workspace.fs.createDirectory(context.globalStorageUri);
  await vscode.workspace.fs.writeFile(marker, new TextEncoder().encode(`${new Date().toISOString()}\n`));
  await vscode.commands.executeCommand('workbench.view.extension.qq2clone');
  await vscode.commands.executeCommand('qq2clone.openWalkthrough');
}
