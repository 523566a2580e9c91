import type { ViewNode } from '../../tree';
import type { CommandDefinition } from '../types';

/**
 * Retry on a host's root that cannot be reached (several hosts): reads that host again now; the others are not
 * touched. Its event stream retries by itself too, so the root also recovers without it.
 */
export const retryHostCommand: CommandDefinition = {
  id: 'qq2clone.retryHost',
  hosts: 'any',
  run: (ctx, node?: unknown) => {
    const n = node as ViewNode | undefined;
    return n && typeof n === 'object' && n.kind === 'host' ? ctx.tree.forNode(n).refresh() : ctx.tree.refresh();
  },
};
