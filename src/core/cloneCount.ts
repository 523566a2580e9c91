/** How many clones one request may make, and the one rule that reads a count (CLI argument or the extension's box). */

/** Most clones one request makes: a typo like 1000000 should not fill the disk. */
export const MAX_CLONES_AT_ONCE = 1000;

/** What is wrong with a typed number of clones; undefined when it is a whole number from 1 to the maximum. */
export function cloneCountProblem(text: string): string | undefined {
  if (!/^\s*[0-9]+\s*$/.test(text)) return 'Give a whole number of clones, e.g. 1 or 5.';
  const n = Number(text);
  if (n < 1) return 'Make at least one clone.';
  if (n > MAX_CLONES_AT_ONCE) return `At most ${MAX_CLONES_AT_ONCE} clones at once.`;
  return undefined;
}
