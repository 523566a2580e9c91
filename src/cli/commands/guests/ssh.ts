import type { CliCommand } from '../shared';
import { UsageError } from '../../../core/errors';
import { guestSkipReason } from '../../../core/operations';
import { prepareSsh, runSshHere, type SshSettings } from '../../../libvirt/guests';
import type { CliIo } from '../../context';

const USAGE = 'NUMBER [-- COMMAND...]';

/** SSH settings from the environment: QQ2CLONE_SSH_USER, QQ2CLONE_SSH_KEY, QQ2CLONE_SSH_OPTIONS (space-separated). */
export function sshSettingsFromEnv(env: CliIo['env']): SshSettings {
  const options = (env.QQ2CLONE_SSH_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  return {
    ...(env.QQ2CLONE_SSH_USER ? { user: env.QQ2CLONE_SSH_USER } : {}),
    ...(env.QQ2CLONE_SSH_KEY ? { identityFile: env.QQ2CLONE_SSH_KEY } : {}),
    ...(options.length ? { options } : {}),
  };
}

/**
 * qq2clone ssh NUMBER [-- COMMAND...]: ssh to a running clone (a user-mode NIC gets a forwarded 127.0.0.1 port),
 * with the tool's own known-hosts file keyed by the clone's UUID; exits with ssh's status.
 */
export const sshCliCommand: CliCommand = {
  name: 'ssh',
  usage: USAGE,
  summary: 'SSH to running machine NUMBER (user-mode NICs through a forwarded 127.0.0.1 port); exits with ssh\'s status.',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    const dash = args.indexOf('--');
    const own = dash < 0 ? args : args.slice(0, dash);
    const command = dash < 0 ? [] : args.slice(dash + 1);
    if (own.length !== 1) {
      throw new UsageError(`ssh takes ${USAGE}; got ${own.length === 0 ? 'no machine number' : `${own.length} arguments before --`}. Usage: qq2clone ssh ${USAGE}`);
    }
    if (!/^[0-9]+$/.test(own[0]!)) throw new UsageError(`ssh takes one machine number; got '${own[0]}'.`);
    const id = Number(own[0]);
    const { template, clones } = await ctx.templateClones();
    const clone = clones.find((c) => c.id === id && !c.staging);
    if (!clone) throw new UsageError(`Template '${template}' has no clone ${id}.`);
    const why = guestSkipReason('ssh', clone.state);
    if (why) throw new UsageError(`Clone ${id} (${clone.name}) is ${why}: start it first (qq2clone start ${id}).`);
    const p = await prepareSsh(ctx.service(), clone.uuid, sshSettingsFromEnv(ctx.io.env), command, ctx.signal);
    // On stderr, as ssh's own notes: stdout is the remote command's.
    if (!ctx.quiet) {
      ctx.out.error(
        `ssh to ${id} (${clone.name}) at ${p.target.host}:${p.target.port}${p.target.via === 'forward' ? ' (forwarded to its port 22)' : ''}` +
          (p.learned ? `; host keys learned through its guest agent: ${p.learned}.` : '; its guest agent gave no host keys: ssh asks.'),
      );
    }
    ctx.exitStatus = await runSshHere(p.line, ctx.signal);
  },
};
