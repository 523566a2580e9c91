import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import type { TreeApi } from '../tree';
import type { LibvirtService } from '../../libvirt/api';
import { hookPaths, hookServes, hookStatus, userPolicyLog, type HookStatus } from '../../libvirt/policy';
import { PolicyEnforcer } from './enforcer';

/** How often the hook's status is read again (a daemon restart or an install may change it). */
const STATUS_TTL_MS = 30_000;


/**
 * The extension's side of power-off policies: while the hook is not used by the local daemon, policies are applied
 * from lifecycle events (PolicyEnforcer), and the view says that they only hold while VS Code is open.
 */
export function registerPolicies(context: vscode.ExtensionContext, host: ServiceHost, tree: TreeApi, output: vscode.LogOutputChannel): void {
  let status: HookStatus | undefined;
  let readAt = 0;
  // The system hook serves only the system daemon's clones: on qemu:///session (or a remote host) the extension acts.
  const active = (): boolean => !!status && (status.use === 'in-use' || status.use === 'will-be-used') && hookServes(host.service.config.uri);
  const refreshStatus = async (): Promise<boolean> => {
    if (Date.now() - readAt > STATUS_TTL_MS) {
      readAt = Date.now();
      status = await hookStatus(hookPaths()).catch(() => undefined);
      updateNotice();
    }
    return active();
  };
  const updateNotice = (): void => {
    const withPolicy = tree.inventory?.clones.some((c) => c.policy && c.policy.action !== 'keep');
    tree.setNotice(
      withPolicy && status && !active()
        ? `Power-off policies apply only while VS Code is open: ${status.use === 'broken' ? status.message : status.installed ? 'the running libvirt daemon does not use the hook yet (restart libvirtd)' : 'the libvirt hook is not installed'}. See qq2clone: Power-Off Hook.`
        : undefined,
    );
  };
  const make = (svc: LibvirtService): PolicyEnforcer =>
    new PolicyEnforcer(svc, {
      logFile: userPolicyLog(svc.config.home),
      hookActive: refreshStatus,
      onAction: (e) => {
        output.info(`Power-off policy of ${e.name} (${e.policy}) after ${e.reason}: ${e.action}${e.detail ? ` (${e.detail})` : ''}.`);
        tree.requestRefresh();
      },
    });
  let enforcer = make(host.service);
  void refreshStatus();
  context.subscriptions.push(
    host.onDidChangeService((svc) => {
      enforcer.dispose();
      enforcer = make(svc);
    }),
    tree.onDidUpdate((source) => {
      if (source === 'inventory' || source === 'unavailable') {
        updateNotice();
        void refreshStatus();
      }
    }),
    { dispose: () => enforcer.dispose() },
  );
}
