import * as vscode from 'vscode';
import type { SshSettings } from '../../../libvirt/guests';

/** The running-guest settings: Shut Down's wait, Run in Guests' parallelism, SSH user, key and options. */
export function guestSettings(): { shutdownTimeoutSeconds: number; runInGuestsParallel: number; ssh: SshSettings } {
  const c = vscode.workspace.getConfiguration('qq2clone');
  const user = c.get<string>('ssh.user', '').trim();
  const key = c.get<string>('ssh.identityFile', '').trim();
  const options = c.get<string[]>('ssh.options', []).filter((o) => typeof o === 'string' && o.length > 0);
  return {
    shutdownTimeoutSeconds: Math.max(0, c.get<number>('shutdownTimeout', 60)),
    runInGuestsParallel: Math.max(1, Math.floor(c.get<number>('runInGuests.parallel', 4))),
    ssh: { ...(user ? { user } : {}), ...(key ? { identityFile: key } : {}), ...(options.length ? { options } : {}) },
  };
}
