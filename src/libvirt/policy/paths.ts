/** Where the hook and its state live: parameters (environment) so that tests use their own directories. */
import * as path from 'node:path';

export interface HookPaths {
  /** libvirt's hooks directory (QQ2CLONE_HOOKS_DIR, default /etc/libvirt/hooks). */
  readonly hooksDir: string;
  /** The hook's state: worker, note, queue, action log (QQ2CLONE_HOOK_STATE, default /var/lib/qq2clone). */
  readonly stateDir: string;
}

export function hookPaths(env: NodeJS.ProcessEnv = process.env): HookPaths {
  return { hooksDir: env.QQ2CLONE_HOOKS_DIR || '/etc/libvirt/hooks', stateDir: env.QQ2CLONE_HOOK_STATE || '/var/lib/qq2clone' };
}

export const HOOK_FILE_NAME = 'qq2clone-power-off';

export function hookFile(p: HookPaths): string {
  return path.join(p.hooksDir, 'qemu.d', HOOK_FILE_NAME);
}

export function hookLog(p: HookPaths): string {
  return path.join(p.stateDir, 'actions.log');
}

/** The log the extension and the CLI append to when they apply a policy themselves (in the user's qq2clone home). */
export function userPolicyLog(home: string): string {
  return path.join(home, 'policy-actions.log');
}

/**
 * True when the system hook serves clones of `uri`: the hook is run by the system daemon, so only local
 * qemu:///system (also through qemu+unix) is covered; qemu:///session and remote hosts are not.
 */
export function hookServes(uri: string): boolean {
  return /^qemu(\+unix)?:\/\/\/system(\?.*)?$/.test(uri.trim());
}
