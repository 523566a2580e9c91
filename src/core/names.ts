/**
 * Names of templates (and so of clones, which are named after them). A name becomes a file name in the template
 * directory, a libvirt domain name and an argument to virsh, so it must be safe in all three.
 */
import { UsageError } from './errors';

export const MAX_NAME_LENGTH = 100;

/** What is wrong with a template name, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'A name cannot be empty.';
  if (name.length > MAX_NAME_LENGTH) return `A name is at most ${MAX_NAME_LENGTH} characters long.`;
  if (name === '.' || name === '..') return `'${name}' is not a usable name.`;
  if (name.startsWith('-')) return 'A name cannot start with "-" (it would read as an option).';
  const bad = /[/\\'"`$\s\x00-\x1f\x7f#,^*?<>|&;]/.exec(name);
  if (bad) {
    const ch = bad[0];
    const shown = /\s/.test(ch) ? 'whitespace' : /[\x00-\x1f\x7f]/.test(ch) ? 'control characters' : `'${ch}'`;
    return `A name cannot contain ${shown} (column ${bad.index + 1}); use letters, digits, '.', '_', '-', '+', '@' or ':'.`;
  }
  return undefined;
}

/** Throws a UsageError (exit 12) when `name` is not a usable template name. */
export function assertName(name: string, what = 'template name'): string {
  const p = nameProblem(name);
  if (p) throw new UsageError(`Invalid ${what} '${name}': ${p}`);
  return name;
}
