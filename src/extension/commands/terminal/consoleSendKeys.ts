import { activeConsoleTab } from '../../panel/consoleTab';
import type { ConsoleKeys } from '../../panel/consoleProtocol';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';

const COMBOS: readonly { label: string; keys: ConsoleKeys }[] = [
  { label: 'Ctrl+Alt+Del', keys: 'ctrl-alt-del' },
  ...Array.from({ length: 12 }, (_, i) => ({ label: `Ctrl+Alt+F${i + 1}`, keys: `ctrl-alt-f${i + 1}` as ConsoleKeys })),
];

/** Sends a key combination the editor would catch to the console tab in front (the given one, or one picked). */
export const consoleSendKeysCommand: CommandDefinition = {
  id: 'qq2clone.consoleSendKeys',
  hosts: 'any',
  run: async (_ctx, keys?): Promise<boolean> => {
    const tab = activeConsoleTab();
    if (!tab) {
      void prompts.notify('warning', 'Send keys: no console tab is open (Open Console on a running clone).');
      return false;
    }
    const chosen = COMBOS.find((c) => c.keys === keys) ?? (await prompts.quickPick(COMBOS, { title: `Send keys to ${tab.target.name}` }));
    if (!chosen) return false;
    tab.sendKeys(chosen.keys);
    return true;
  },
};
