/** "Open SSH Terminal": the ssh command line built in src/libvirt/guests/ssh.ts, in an integrated terminal. */
import * as vscode from 'vscode';
import type { CommandLine } from '../../libvirt/display';

export function openSshTerminal(line: CommandLine, clone: { name: string }): vscode.Terminal {
  const terminal = vscode.window.createTerminal({
    name: `ssh: ${clone.name}`,
    shellPath: line.command,
    shellArgs: [...line.args],
    iconPath: new vscode.ThemeIcon('remote'),
    isTransient: true,
  });
  terminal.show(false);
  return terminal;
}
