import { isActive } from '../../../core/operations';
import { openConsoleTerminal } from '../../terminal/console';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { chooseOneClone } from './targets';

/** Opens `virsh console` for a running clone in an integrated terminal (Ctrl+] leaves the console). */
export const openConsoleCommand: CommandDefinition = {
  id: 'qq2clone.openConsole',
  run: async (ctx, node?) => {
    const clone = await chooseOneClone(ctx, 'Open serial console', node, true);
    if (!clone) return undefined;
    if (!isActive(clone.state)) {
      void prompts.notify('warning', `Clone ${clone.id} (${clone.name}) is ${clone.state}: start it first, then open its console.`);
      return undefined;
    }
    return openConsoleTerminal(ctx.host.service.config.uri, clone);
  },
};
