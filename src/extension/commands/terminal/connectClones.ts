import * as vscode from 'vscode';
import { asQq2Error } from '../../../core/errors';
import { connectClones, type ConnectSettings, type ViewerName } from '../../../libvirt/display';
import { inWords, type ConnectReport } from '../../ui/connectText';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import type { CommandDefinition } from '../types';
import { chooseClones } from './targets';
import { unseenViewerReason } from '../../ui/remoteWindow';
import { connectInWindow, type ConnectOutcome } from './connectWindow';

/** qq2clone.useSpice: "on"/"off" (or a boolean from older settings); "auto" (default) leaves it to the viewers installed. */
function useSpiceSetting(value: unknown): boolean | undefined {
  if (value === true || value === 'on') return true;
  if (value === false || value === 'off') return false;
  return undefined;
}

/** USE_SPICE, SPICY and S_TIMEOUT as settings. */
export function connectSettings(): ConnectSettings {
  const c = vscode.workspace.getConfiguration('qq2clone');
  return {
    useSpice: useSpiceSetting(c.get<unknown>('useSpice', 'auto')),
    viewer: c.get<string>('viewer', 'virt-viewer') === 'spicy' ? 'spicy' : ('virt-viewer' as ViewerName),
    spiceTimeout: Math.max(1, c.get<number>('spiceTimeout', 10)),
  };
}

/**
 * connect (manual: CLONE COMMANDS): starts the clones of the selection or SET that are not running, then opens
 * virt-viewer or spicy on those with SPICE graphics; says which were not connected and why. In a browser or remote
 * window (where a viewer would open out of sight) it opens the console tab of those with a VNC display instead.
 */
export const connectCommand: CommandDefinition = {
  id: 'qq2clone.connect',
  run: async (ctx, node?, nodes?): Promise<ConnectOutcome | undefined> => {
    const clones = await chooseClones(ctx, 'Connect', node, nodes);
    if (!clones) return undefined;
    const settings = connectSettings();
    // A browser or remote window: the viewer would open where the extension runs, not in front of the user.
    const unseen = vscode.workspace.getConfiguration('qq2clone').get<boolean>('viewerInRemoteWindow', false)
      ? undefined
      : unseenViewerReason(vscode.env.remoteName, vscode.env.uiKind === vscode.UIKind.Web);
    let report: ConnectReport;
    try {
      report = inWords(
        await prompts.progress('Connect', clones.length, (signal, done) =>
          connectClones(ctx.host.service, clones, unseen ? { ...settings, useSpice: false } : settings, {
            signal,
            onStartProgress: (n) => done(n),
          }),
        ),
      );
    } catch (e) {
      const err = asQq2Error(e);
      ctx.output.error(`Connect failed: ${err.message}`);
      void prompts.notify('error', `Connect failed: ${err.message}`);
      return undefined;
    } finally {
      ctx.tree.requestRefresh();
    }
    if (unseen) return connectInWindow(ctx, report, unseen, node, clones);
    const started = report.started?.done.length ?? 0;
    for (const c of report.connected) ctx.output.info(`Connect: ${c.clone.name}: ${[c.command.command, ...c.command.args].join(' ')}`);
    for (const n of report.notConnected) ctx.output.warn(`Connect: ${n.clone.name}: ${n.reason}`);
    const parts = [`started ${started}`];
    // spicy can give way to virt-viewer for a remote display (see viewerCommandFor): name what was opened.
    const opened = [...new Set(report.connected.map((c) => c.command.command))].join(' and ');
    if (report.spice) parts.push(`opened ${opened || report.viewer || 'a viewer'} for ${report.connected.length}`);
    else parts.push('SPICE connections are off (qq2clone.useSpice)');
    const why = report.notConnected.slice(0, 3).map((n) => `${n.clone.name}: ${n.reason}`);
    if (report.notConnected.length > 3) why.push(`and ${report.notConnected.length - 3} more`);
    const message = `Connect: ${parts.join(', ')}${why.length ? `. Not connected: ${why.join('; ')}` : ''}.`;
    const failedStart = report.started?.failed.length ?? 0;
    if (why.length || failedStart) void prompts.notify('warning', message, 'Show Output').then((a) => a && ctx.output.show(true));
    else if (!uiSettings().quiet) void prompts.notify('info', message);
    return report;
  },
};
