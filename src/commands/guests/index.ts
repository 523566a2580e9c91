import type { CommandDefinition } from '../types';
import { openSsh } from './openSsh';
import { rebootClones } from './rebootClones';
import { resetClones } from './resetClones';
import { runInGuests } from './runInGuests';
import { shutdownClones } from './shutdownClones';

export const guestCommands: readonly CommandDefinition[] = [shutdownClones, rebootClones, resetClones, openSsh, runInGuests];
