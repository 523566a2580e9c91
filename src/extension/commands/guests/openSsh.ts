import { asQq2Error } from '../../../core/errors';
import { guestSkipReason } from '../../../core/operations';
import { prepareSsh } from '../../../libvirt/guests';
import { openSshTerminal } from '../../terminal/ssh';
import { prompts } from '../../ui/prompts';
import { chooseOneClone } from '../terminal/targets';
import type { CommandDefinition } from '../types';
import { guestSettings } from './guestSettings';

/**
 * Opens an integrated terminal running ssh to a running clone: a user-mode NIC gets a forwarded 127.0.0.1 port,
 * host keys are learned through the guest agent into the product's known-hosts file under the clone's UUID.
 * Resolves with the terminal and the ssh command line (tests), or undefined.
 */
export const openSshCommand: CommandDefinition = {
  id: 'qq2clone.openSsh',
  hosts: 'first',
  run: async (ctx, node?) => {
    const clone = await chooseOneClone(ctx, 'Open SSH Terminal', node, true);
    if (!clone) return undefined;
    const why = guestSkipReason('ssh', clone.state);
    if (why) {
      void prompts.notify('warning', `Clone ${clone.id} (${clone.name}) is ${why}: start it first, then open SSH.`);
      return undefined;
    }
    try {
      const p = await prompts.progress(`SSH to ${clone.name}`, 1, (signal) => prepareSsh(ctx.host.service, clone.uuid, guestSettings().ssh, [], signal));
      ctx.output.info(
        `SSH to clone ${clone.id} (${clone.name}) at ${p.target.host}:${p.target.port}` +
          `${p.target.via === 'forward' ? ' (forwarded to its port 22)' : ''}; host keys learned through its agent: ${p.learned}`,
      );
      ctx.tree.addresses.invalidate(clone.uuid, true);
      const terminal = openSshTerminal(p.line, clone);
      return { terminal, line: p.line, target: p.target, learned: p.learned };
    } catch (e) {
      const err = asQq2Error(e);
      ctx.output.error(`Open SSH Terminal: ${err.message}`);
      void prompts.notify('error', `Open SSH Terminal on ${clone.name}: ${err.message}`);
      return undefined;
    }
  },
};
