import type { CommandDefinition } from '../types';
import { connect } from './connectClones';
import { execClones } from './execClones';
import { execParallel } from './execParallel';
import { openConsole } from './openConsole';
import { refreshScreen } from './refreshScreen';
import { showScreen } from './showScreen';

export const terminalCommands: readonly CommandDefinition[] = [execClones, execParallel, connect, openConsole, showScreen, refreshScreen];
