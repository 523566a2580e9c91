import type { CommandDefinition } from '../types';

/** Re-reads libvirt and the template directory (also the welcome views' Retry). */
export const refreshCommand: CommandDefinition = {
  id: 'qq2clone.refresh',
  hosts: 'any',
  run: (ctx) => ctx.tree.refresh(),
};
