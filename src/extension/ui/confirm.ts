import type { CloneInfo } from '../../libvirt/api';
import { cloneWhat } from './cloneWords';
import { prompts } from './prompts';

/** Asks once, modally, naming how many clones and which; true to go ahead. */
export function confirmDestructive(verb: string, clones: readonly CloneInfo[], consequence: string): Thenable<boolean> {
  const n = clones.length;
  const shown = clones.slice(0, 20).map((c) => `• ${cloneWhat(c)} of ${c.template}`);
  if (n > shown.length) shown.push(`• and ${n - shown.length} more`);
  return prompts.confirm(
    `${verb} ${n} clone${n === 1 ? '' : 's'}?`,
    `${consequence}\n\n${shown.join('\n')}`,
    verb,
  );
}
