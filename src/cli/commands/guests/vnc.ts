import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { isActive } from '../../../core/operations';
import { parseSetOrThrow } from '../../../core/set';
import { LibvirtError } from '../../../core/errors';
import { isVncDisplay, noVncText, vncAddressText, vncDisplayOf } from '../../../libvirt/display';

/**
 * qq2clone vnc SET: `NUMBER NAME ADDRESS` per running machine of SET with a VNC display, ADDRESS being host:port
 * or the unix socket, read from the live domain XML, for people who bring their own viewer (the extension's Open
 * Console relays the same display). Machines without one are named on stderr with why; none at all is an error.
 */
export const vncCliCommand: CliCommand = {
  name: 'vnc',
  usage: 'SET',
  summary: 'Print NUMBER NAME ADDRESS (host:port or unix socket) of the VNC display of each running machine in SET.',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    expectArgs('vnc', 'SET', args, 1);
    const set = parseSetOrThrow(args[0]!);
    const chosen = await ctx.clonesInSet(set, { command: 'vnc', accepts: (c) => isActive(c.state) });
    let shown = 0;
    for (const c of chosen) {
      const d = vncDisplayOf(await ctx.service().domainXml(c.uuid, { inactive: false, ...(ctx.signal ? { signal: ctx.signal } : {}) }));
      if (!isVncDisplay(d)) {
        ctx.out.error(`No VNC display for ${c.id} (${c.name}): ${noVncText(d)}`);
        continue;
      }
      ctx.out.result(`${c.id} ${c.name} ${vncAddressText(d.address)}`);
      shown++;
    }
    if (chosen.length && !shown) throw new LibvirtError('None of these machines has a VNC display: add one on 127.0.0.1 to the template (<graphics type="vnc" listen="127.0.0.1"/>).');
  },
};
