import type { CommandDefinition } from '../types';
import { openSshCommand } from './openSsh';
import { rebootClonesCommand } from './rebootClones';
import { resetClonesCommand } from './resetClones';
import { runInGuestsCommand } from './runInGuests';
import { shutdownClonesCommand } from './shutdownClones';

export const guestCommands: readonly CommandDefinition[] = [shutdownClonesCommand, rebootClonesCommand, resetClonesCommand, openSshCommand, runInGuestsCommand];
