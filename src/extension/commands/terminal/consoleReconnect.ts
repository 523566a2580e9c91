import { activeConsoleTab } from '../../panel/consoleTab';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';

/** Drops the console tab's VNC connection and opens a new one (the toolbar's Reconnect). */
export const consoleReconnectCommand: CommandDefinition = {
  id: 'qq2clone.consoleReconnect',
  hosts: 'any',
  run: (): boolean => {
    const tab = activeConsoleTab();
    if (!tab) {
      void prompts.notify('warning', 'Reconnect: no console tab is open (Open Console on a running clone).');
      return false;
    }
    tab.reconnect();
    return true;
  },
};
