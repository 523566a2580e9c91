/** "Open serial console": `virsh console` for a clone in an integrated terminal (a real pty; Ctrl+] leaves). */
import * as vscode from 'vscode';
import { consoleCommand } from '../../libvirt/display';

export function openConsoleTerminal(uri: string, clone: { uuid: string; name: string }): vscode.Terminal {
  const cmd = consoleCommand(uri, clone.uuid);
  const terminal = vscode.window.createTerminal({
    name: `console: ${clone.name}`,
    shellPath: cmd.command,
    shellArgs: [...cmd.args],
    iconPath: new vscode.ThemeIcon('terminal'),
    isTransient: true,
  });
  terminal.show(false);
  return terminal;
}
