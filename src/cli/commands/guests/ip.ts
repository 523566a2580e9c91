import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { operationAccepts } from '../../../core/operations';
import { parseSetOrThrow } from '../../../core/set';
import { forEachBounded } from '../../../core/limit';
import { addressText } from '../../../libvirt/guests';
import { serviceAddressReader, type AddressEntry } from '../../../libvirt/guests';

/**
 * qq2clone ip SET: `NUMBER NAME ADDRESS...` per running machine of SET, in number order. Addresses come from the
 * guest agent, else libvirt's DHCP leases, else the ARP table; a forwarded SSH port shows as 127.0.0.1:PORT.
 */
export const ipCliCommand: CliCommand = {
  name: 'ip',
  usage: 'SET',
  summary: 'Print NUMBER NAME ADDRESS... for each running machine in SET (guest agent, else DHCP lease, else ARP).',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    expectArgs('ip', 'SET', args, 1);
    const set = parseSetOrThrow(args[0]!);
    const chosen = await ctx.clonesInSet(set, { command: 'ip', accepts: (c) => operationAccepts('ip', c.state) });
    const read = serviceAddressReader(ctx.service());
    const found = new Map<string, Omit<AddressEntry, 'at'>>();
    await forEachBounded(chosen, 4, async (c) => void found.set(c.uuid, await read(c.uuid, ctx.signal)), ctx.signal);
    for (const c of chosen) {
      const a = found.get(c.uuid);
      if (!a) continue;
      const words = [addressText(a), a.sshPort ? `127.0.0.1:${a.sshPort}` : ''].filter(Boolean).join(' ');
      ctx.out.result(`${c.id} ${c.name}${words ? ` ${words}` : ''}`);
      if (!a.addresses.length) ctx.out.info(`No address for ${c.id} (${c.name}): ${a.tried.map((t) => `${t.source}: ${t.problem}`).join('; ')}`);
    }
  },
};
