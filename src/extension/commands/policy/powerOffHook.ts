import * as path from 'node:path';
import * as vscode from 'vscode';
import { asQq2Error } from '../../../core/errors';
import { hookLog, hookPaths, hookStatus, installHook, readPolicyLogs, serviceTrust, uninstallHook, userPolicyLog } from '../../../libvirt/policy';
import { shQuote } from '../../../libvirt/policy';
import { prompts } from '../../ui/prompts';
import type { CommandContext, CommandDefinition } from '../types';

const TITLE = 'Power-Off Hook';

/** The bundled CLI and worker next to the bundled extension (dist/). */
const CLI = path.join(__dirname, 'cli.js');
const WORKER = path.join(__dirname, 'hook-worker.js');

/** Runs `qq2clone hook SUB` with sudo in a terminal (installing needs root; sudo asks for the password there). */
function inTerminal(ctx: CommandContext, sub: 'install' | 'uninstall'): void {
  const svc = ctx.host.service;
  const t = vscode.window.createTerminal({ name: `qq2clone hook ${sub}` });
  const env = `LIBVIRT_DEFAULT_URI=${shQuote(svc.config.uri)} QQ2CLONE_HOME=${shQuote(svc.config.home)}`;
  // -s: the storage the extension uses is the one the hook's worker may touch (recorded by install).
  t.sendText(`sudo env ${env} ${shQuote(process.execPath)} ${shQuote(CLI)} -s ${shQuote(svc.config.storage)} hook ${sub}`);
  t.show();
}

/** The action logs as text, newest last. */
async function showLog(ctx: CommandContext): Promise<void> {
  const entries = await readPolicyLogs([hookLog(hookPaths()), userPolicyLog(ctx.host.service.config.home)]);
  const text = entries.length
    ? entries.map((e) => `${e.time}  ${e.template} ${e.id} (${e.name})  ${e.reason}  ${e.policy}  ${e.action}${e.detail ? `: ${e.detail}` : ''}  [${e.by}]`).join('\n')
    : 'No power-off policy has acted yet.';
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: `${text}\n`, language: 'log' }), { preview: true });
}

/**
 * Power-Off Hook...: says whether the libvirt hook is installed and used by the running daemon, and offers to
 * install, update or remove it (as root: directly when VS Code runs as root, else with sudo in a terminal) or to
 * show what the policies did.
 */
export const powerOffHookCommand: CommandDefinition = {
  id: 'qq2clone.powerOffHook',
  hosts: 'first',
  run: async (ctx: CommandContext) => {
    const svc = ctx.host.service;
    const values = { node: process.execPath, uri: svc.config.uri, templateDir: svc.config.templateDir };
    const paths = hookPaths();
    const st = await hookStatus(paths, { ...values, stateDir: paths.stateDir });
    const items = [
      { label: st.installed ? (st.outdated ? 'Update the hook' : 'Install again') : 'Install the hook', detail: 'Needs root', id: 'install' as const },
      ...(st.installed ? [{ label: 'Uninstall the hook', detail: 'Needs root', id: 'uninstall' as const }] : []),
      { label: 'Show the action log', detail: 'What power-off policies did', id: 'log' as const },
    ];
    const pick = await prompts.quickPick(items, { title: `${TITLE}: ${st.message}` });
    if (!pick) return;
    try {
      if (pick.id === 'log') return await showLog(ctx);
      const root = process.getuid?.() === 0;
      if (!root) return inTerminal(ctx, pick.id);
      if (pick.id === 'install') await installHook(paths, WORKER, values, await serviceTrust(svc));
      else await uninstallHook(paths);
      void prompts.notify('info', `${TITLE}: ${(await hookStatus(paths)).message}`);
    } catch (e) {
      void prompts.notify('error', `${TITLE}: ${asQq2Error(e).message}`);
    }
  },
};
