/** Clones and what was skipped, in the extension's words for messages. Pure. */
import type { CloneInfo } from '../../libvirt/api';

/** Something not acted upon, and why (shown to the user). */
export interface Skip {
  readonly what: string;
  readonly reason: string;
}

export function cloneWhat(c: CloneInfo): string {
  return c.staging ? `staging clone ${c.name}` : `clone ${c.id} (${c.name})`;
}

/** "clone 1 (a), clone 2 (b) and 3 more" for messages. */
export function listClones(clones: readonly CloneInfo[], max = 8): string {
  const shown = clones.slice(0, max).map(cloneWhat);
  const rest = clones.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

export function listSkips(skips: readonly Skip[], max = 5): string {
  const shown = skips.slice(0, max).map((s) => `${s.what}: ${s.reason}`);
  const rest = skips.length - shown.length;
  return rest > 0 ? `${shown.join('; ')}; and ${rest} more` : shown.join('; ');
}
