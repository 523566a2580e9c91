/**
 * Names of templates (and so of clones, which are named after them). A name becomes a file name in the template
 * directory, a libvirt domain name, part of a qcow2 overlay's file name and an argument to virsh and qemu-img, so it
 * must be safe in all of them. This is the one rule: every place that takes a template name checks it here.
 *
 * Letters, digits, '.', '_', '+' and '-', starting with a letter or digit: no ':' (qemu reads "proto:" prefixes in
 * image file names), no '@', no leading '.' (hidden files; the template directory's temporary files start with '.'),
 * no leading '-' (it would read as an option).
 */
import { UsageError } from './errors';

export const MAX_NAME_LENGTH = 100;

const ALLOWED = "letters, digits, '.', '_', '+' and '-'";

/** What is wrong with a template name, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'A name cannot be empty.';
  if (name.length > MAX_NAME_LENGTH) return `A name is at most ${MAX_NAME_LENGTH} characters long.`;
  if (name.startsWith('-')) return 'A name cannot start with "-" (it would read as an option).';
  const bad = /[^A-Za-z0-9._+-]/.exec(name);
  if (bad) {
    const ch = bad[0];
    const shown = /\s/.test(ch) ? 'whitespace' : /[\x00-\x1f\x7f]/.test(ch) ? 'control characters' : `'${ch}'`;
    return `A name cannot contain ${shown} (column ${bad.index + 1}); use ${ALLOWED}.`;
  }
  if (!/^[A-Za-z0-9]/.test(name)) return `A name must start with a letter or a digit, not '${name[0]}'.`;
  return undefined;
}

/** Throws a UsageError (exit 12) when `name` is not a usable template name. */
export function assertName(name: string, what = 'template name'): string {
  const p = nameProblem(name);
  if (p) throw new UsageError(`Invalid ${what} '${name}': ${p}`);
  return name;
}
