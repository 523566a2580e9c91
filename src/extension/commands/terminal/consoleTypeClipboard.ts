import * as vscode from 'vscode';
import { activeConsoleTab } from '../../panel/consoleTab';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';

/** Types the clipboard's text into the guest of the console tab in front, key by key (US keyboard). */
export const consoleTypeClipboardCommand: CommandDefinition = {
  id: 'qq2clone.consoleTypeClipboard',
  hosts: 'any',
  run: async (): Promise<boolean> => {
    const tab = activeConsoleTab();
    if (!tab) {
      void prompts.notify('warning', 'Type clipboard: no console tab is open (Open Console on a running clone).');
      return false;
    }
    tab.type(await vscode.env.clipboard.readText());
    return true;
  },
};
