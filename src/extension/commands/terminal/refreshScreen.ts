import { asQq2Error } from '../../../core/errors';
import { refreshScreen as refresh } from '../../terminal/screen';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';

/** Takes a new picture for the active screen tab (its editor-title action). Arg: a clone UUID (tests). */
export const refreshScreenCommand: CommandDefinition = {
  id: 'qq2clone.refreshScreen',
  hosts: 'any',
  run: async (_ctx, uuid?) => {
    try {
      return await refresh(typeof uuid === 'string' ? uuid : undefined);
    } catch (e) {
      void prompts.notify('error', `Refresh screen: ${asQq2Error(e).message}`);
      return undefined;
    }
  },
};
