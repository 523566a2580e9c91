import type { CommandDefinition } from '../types';
import { connectCommand } from './connectClones';
import { execClonesCommand } from './execClones';
import { execParallelCommand } from './execParallel';
import { openConsoleCommand } from './openConsole';
import { openGraphicalConsoleCommand } from './openGraphicalConsole';
import { consoleSendKeysCommand } from './consoleSendKeys';
import { consoleTypeClipboardCommand } from './consoleTypeClipboard';
import { consoleReconnectCommand } from './consoleReconnect';
import { refreshScreenCommand } from './refreshScreen';
import { showScreenCommand } from './showScreen';

export const terminalCommands: readonly CommandDefinition[] = [execClonesCommand, execParallelCommand, connectCommand, openConsoleCommand, showScreenCommand, refreshScreenCommand,
  openGraphicalConsoleCommand, consoleSendKeysCommand, consoleTypeClipboardCommand, consoleReconnectCommand];
