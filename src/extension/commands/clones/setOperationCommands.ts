/**
 * The manual's SET operations as commands (start, destroy, suspend, resume, save, save-rm, rm, rm-wipe, rm-shred):
 * one command per row of core's SET_OPERATIONS, each running `runOperation` on the selection or a SET.
 */
import { SET_OPERATIONS } from '../../../core/operations';
import type { CommandDefinition } from '../types';
import { runOperation } from './runOperation';

export const setOperationCommands: readonly CommandDefinition[] = SET_OPERATIONS.map((info) => ({
  id: info.command,
  run: (ctx, node?, nodes?) => runOperation(ctx, info, node, nodes),
}));
