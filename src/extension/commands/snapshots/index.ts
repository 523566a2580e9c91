import type { CommandDefinition } from '../types';
import { deleteSnapshotCommand } from './deleteSnapshot';
import { revertSnapshotCommand } from './revertSnapshot';
import { takeSnapshotCommand } from './takeSnapshot';

export const snapshotCommands: readonly CommandDefinition[] = [takeSnapshotCommand, revertSnapshotCommand, deleteSnapshotCommand];
