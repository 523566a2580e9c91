/**
 * qq2clone hook install|status|uninstall|log: the qemu hook that applies power-off policies while VS Code is
 * closed. install and uninstall need root; status says whether the running libvirt daemon uses the hook (a daemon
 * only uses hooks that were there when it started) and when it must be restarted; log prints the action log.
 * QQ2CLONE_HOOKS_DIR and QQ2CLONE_HOOK_STATE choose other directories than /etc/libvirt/hooks and /var/lib/qq2clone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from '../shared';
import type { CliContext } from '../../context';
import { expectArgs } from '../shared';
import { UsageError } from '../../../core/errors';
import { hookLog, hookPaths, hookStatus, installHook, readPolicyLogs, uninstallHook, userPolicyLog, type HookScriptValues, type PolicyTrust } from '../../../libvirt/policy';
import { imageStoreOf } from '../../../libvirt/storage';
import { loadConfig, toolHome } from '../../config';

const USAGE = 'install|status|uninstall|log';

/** The bundled worker: next to dist/cli.js, or dist/ of the source tree when run from source. */
export function workerSource(env: NodeJS.ProcessEnv): string {
  if (env.QQ2CLONE_HOOK_WORKER) return env.QQ2CLONE_HOOK_WORKER;
  const beside = path.join(__dirname, 'hook-worker.js');
  return fs.existsSync(beside) ? beside : path.resolve(__dirname, '../../../dist/hook-worker.js');
}

function values(ctx: CliContext): Omit<HookScriptValues, 'stateDir'> {
  return { node: process.execPath, uri: ctx.uri, templateDir: ctx.config.TEMPLATE_DIR };
}

/** The home directory /etc/passwd gives `user` (undefined when it names none). */
function passwdHome(user: string): string | undefined {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[0] === user);
  const home = line?.split(':')[5];
  return home && path.isAbsolute(home) ? home : undefined;
}

/**
 * The storage and template folders of the user who installs the hook: under sudo, those of SUDO_USER's own
 * configuration (its home from /etc/passwd, not root's HOME) unless QQ2CLONE_HOME names one; -s still wins.
 */
async function installerTrust(ctx: CliContext): Promise<PolicyTrust> {
  const env = ctx.io.env;
  let config = ctx.config;
  const user = env.SUDO_USER;
  if (user && user !== 'root' && !env.QQ2CLONE_HOME?.trim() && process.geteuid?.() === 0) {
    const home = passwdHome(user);
    if (home) config = loadConfig(toolHome({ HOME: home }), env);
  }
  const storage = ctx.options.storage ?? config.STORAGE;
  const dir = path.isAbsolute(storage) ? path.resolve(storage) : (await imageStoreOf(ctx.service()).locate(storage, ctx.signal)).dir;
  return { storage: [dir], templateDirs: [path.resolve(config.TEMPLATE_DIR)] };
}

export const hookCliCommand: CliCommand = {
  name: 'hook',
  usage: USAGE,
  summary:
    "Install, check or remove the libvirt qemu hook that applies power-off policies when VS Code is closed (install/uninstall need root; libvirt uses it once restarted); log: what the policies did.",
  speaksUnderQuieter: (args) => args[0] === 'status' || args[0] === 'log',
  async run(ctx, args) {
    expectArgs('hook', USAGE, args, 1);
    const paths = hookPaths(ctx.io.env);
    const sub = args[0]!;
    if (sub === 'install') {
      const trust = await installerTrust(ctx);
      const r = await installHook(paths, workerSource(ctx.io.env), values(ctx), trust);
      ctx.out.info(`${r.replaced ? 'Updated' : 'Installed'} the hook ${r.hook} (worker ${r.worker}).`);
      ctx.out.info(`Its worker acts only on clones' overlays in ${trust.storage.join(', ')} backed by images of the templates in ${trust.templateDirs.join(', ')}.`);
      const st = await hookStatus(paths);
      ctx.out.result(st.message);
    } else if (sub === 'status') {
      const st = await hookStatus(paths, { ...values(ctx), stateDir: paths.stateDir });
      ctx.out.result(st.message);
      if (st.outdated) ctx.out.result('It differs from what this version installs: run sudo qq2clone hook install again to update it.');
    } else if (sub === 'uninstall') {
      const r = await uninstallHook(paths);
      ctx.out.info(r.removed.length ? `Removed ${r.removed.join(', ')}.` : 'The hook was not installed: nothing to remove.');
      if (r.placeholder) ctx.out.info(`An inert placeholder stays at ${r.placeholder}, so that a domain starting now does not fail; hook uninstall while no libvirt daemon runs removes it.`);
      ctx.out.info(`The action log ${hookLog(paths)} is kept.`);
    } else if (sub === 'log') {
      const entries = await readPolicyLogs([hookLog(paths), userPolicyLog(ctx.home)]);
      ctx.out.result(
        entries
          .map((e) => `${e.time}  ${e.template} ${e.id} (${e.name})  ${e.reason}  ${e.policy}  ${e.action}${e.detail ? `: ${e.detail}` : ''}  [${e.by}]`)
          .join('\n'),
      );
    } else throw new UsageError(`Unknown hook sub-command '${sub}': use ${USAGE}.`);
  },
};
