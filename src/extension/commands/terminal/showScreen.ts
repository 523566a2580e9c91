import { asQq2Error } from '../../../core/errors';
import { virshFor } from '../../../libvirt/display';
import { showScreen as show } from '../../terminal/screen';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { chooseOneClone } from './targets';

/** A picture of a running clone's display (virsh screenshot) in an editor tab with Refresh. */
export const showScreenCommand: CommandDefinition = {
  id: 'qq2clone.showScreen',
  run: async (ctx, node?) => {
    const clone = await chooseOneClone(ctx, 'Show screen', node, true);
    if (!clone) return undefined;
    try {
      return await show({ virsh: () => virshFor(ctx.host.service), uuid: clone.uuid, name: clone.name });
    } catch (e) {
      const err = asQq2Error(e);
      const hint = /no screens|not running/i.test(err.message)
        ? ' (the clone must be running and have a graphics device)'
        : '';
      ctx.output.error(`Show screen of ${clone.name}: ${err.message}`);
      void prompts.notify('error', `Show screen of ${clone.name}: ${err.message}${hint}`);
      return undefined;
    }
  },
};
