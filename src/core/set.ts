/**
 * The SET language of the qq2clone manual (SETS): a comma-delimited list, no whitespace, of machine numbers
 * (`3`), ranges (`2-5`), state words (`running`) and `all`; any of them but `all` may be excluded with `^`.
 * Order does not matter: a set is everything included minus everything excluded. Pure: `parseSet` for
 * validate-as-you-type (errors carry their position), `resolveSet` to pick existing clones.
 */
import { UsageError } from './errors';
import { CLONE_STATES, isCloneState, type CloneState } from './states';

/** An inclusive range of machine numbers (a single number is [n, n]). */
export type NumberRange = readonly [number, number];

/** Numbers, ranges and states on one side of a set (included or excluded). */
export interface SetSide {
  readonly ranges: readonly NumberRange[];
  readonly states: readonly CloneState[];
}

export interface ParsedSet {
  /** The text as written. */
  readonly text: string;
  /** `all` was given. */
  readonly all: boolean;
  readonly include: SetSide;
  readonly exclude: SetSide;
}

/** Where a set is malformed: 0-based offset and length in the text, and what is wrong. */
export interface SetSyntaxError {
  readonly message: string;
  readonly offset: number;
  readonly length: number;
}

export type SetParseResult = { readonly ok: true; readonly set: ParsedSet } | { readonly ok: false; readonly error: SetSyntaxError };

/** The words a set may contain: `all` and the eight states. */
export const SET_WORDS: readonly string[] = ['all', ...CLONE_STATES];

const NUMBER = /^[0-9]+$/;

/** Parses a SET; never throws. */
export function parseSet(text: string): SetParseResult {
  const fail = (message: string, offset: number, length: number): SetParseResult => ({
    ok: false,
    error: { message, offset, length: Math.max(1, length) },
  });
  if (text.length === 0) return fail('The set is empty: give machine numbers, ranges or states, e.g. 1,3-5 or all.', 0, 0);
  const space = text.search(/\s/);
  if (space >= 0) return fail('A set contains no whitespace: separate items with commas only, e.g. 1,3-5.', space, 1);

  const inc = { ranges: [] as NumberRange[], states: [] as CloneState[] };
  const exc = { ranges: [] as NumberRange[], states: [] as CloneState[] };
  let all = false;
  let offset = 0;
  for (const item of text.split(',')) {
    const at = offset;
    offset += item.length + 1;
    if (item.length === 0) return fail('Empty item: two commas in a row, or a comma at the start or end.', at, 0);
    const negated = item.startsWith('^');
    const body = negated ? item.slice(1) : item;
    const bodyAt = negated ? at + 1 : at;
    const side = negated ? exc : inc;
    if (body.length === 0) return fail("'^' must be followed by a number, a range or a state.", at, 1);
    if (body === 'all') {
      if (negated) return fail("'^all' would exclude every machine; exclude numbers, ranges or states.", at, item.length);
      all = true;
      continue;
    }
    if (isCloneState(body)) {
      side.states.push(body);
      continue;
    }
    const dash = body.indexOf('-');
    const parts = dash < 0 ? [body] : [body.slice(0, dash), body.slice(dash + 1)];
    const numbers: number[] = [];
    let partAt = bodyAt;
    for (const p of parts) {
      if (!NUMBER.test(p)) {
        if (dash < 0 && /^[a-z-]+$/i.test(p)) {
          return fail(`Unknown word '${p}': a set names numbers, ranges or one of ${SET_WORDS.join(', ')}.`, partAt, p.length);
        }
        const what = p.length === 0 ? 'A range needs a number on both sides of -, e.g. 2-5.' : `'${p}' is not a machine number.`;
        return fail(what, p.length === 0 ? bodyAt : partAt, p.length === 0 ? body.length : p.length);
      }
      const n = Number(p);
      if (!Number.isSafeInteger(n)) return fail(`${p} is too large for a machine number.`, partAt, p.length);
      if (n < 1) return fail('Machine numbers start at 1.', partAt, p.length);
      numbers.push(n);
      partAt += p.length + 1;
    }
    const lo = numbers[0]!;
    const hi = numbers[1] ?? lo;
    if (hi < lo) return fail(`The range ${lo}-${hi} runs backwards; write ${hi}-${lo}.`, bodyAt, body.length);
    side.ranges.push([lo, hi]);
  }
  if (!all && inc.ranges.length === 0 && inc.states.length === 0) {
    return fail(`The set only excludes machines; say what to include, e.g. all,${text}.`, 0, text.length);
  }
  return { ok: true, set: { text, all, include: inc, exclude: exc } };
}

/** Parses a SET or throws a UsageError (exit 12) that says what is wrong and where. */
export function parseSetOrThrow(text: string): ParsedSet {
  const r = parseSet(text);
  if (r.ok) return r.set;
  throw new UsageError(`Malformed set '${text}' at column ${r.error.offset + 1}: ${r.error.message}`);
}

function onSide(side: SetSide, id: number, state: CloneState): boolean {
  return side.states.includes(state) || side.ranges.some(([lo, hi]) => id >= lo && id <= hi);
}

/** Does the set name a machine with this number and state? */
export function setMatches(set: ParsedSet, id: number, state: CloneState): boolean {
  if (id < 1) return false;
  const included = set.all || onSide(set.include, id, state);
  return included && !onSide(set.exclude, id, state);
}

/** What `resolveSet` needs of a clone. */
export interface SetMember {
  readonly id: number;
  readonly state: CloneState;
  readonly staging?: boolean;
}

export interface ResolveOptions<T extends SetMember> {
  /** The command's name, for messages (e.g. "start"). */
  readonly command?: string;
  /** Which named machines the command may act upon; when it accepts none, resolving fails. */
  readonly accepts?: (clone: T) => boolean;
}

/** What a SET chooses among clones: those it names, those of them the command acts upon, and the rest. */
export interface SetChoice<T> {
  readonly named: T[];
  readonly chosen: T[];
  readonly skipped: T[];
}

/**
 * Parses the SET once and resolves it against `clones` (the staging clone is never in a set), in number order.
 * Numbers that do not exist are ignored; a malformed set, a set that names no existing machine, or none the
 * command may act upon, is a UsageError (exit 12) that says why. The one path from SET text to clones of both
 * front ends.
 */
export function chooseBySet<T extends SetMember>(set: ParsedSet | string, clones: readonly T[], options: ResolveOptions<T> = {}): SetChoice<T> {
  const parsed = typeof set === 'string' ? parseSetOrThrow(set) : set;
  const named = clones
    .filter((c) => !c.staging && setMatches(parsed, c.id, c.state))
    .sort((a, b) => a.id - b.id);
  if (named.length === 0) {
    const existing = clones.filter((c) => !c.staging).map((c) => c.id).sort((a, b) => a - b);
    const have = existing.length ? `existing machines: ${compactNumbers(existing)}` : 'there are no clones';
    throw new UsageError(`The set '${parsed.text}' names no existing machine (${have}).`);
  }
  if (!options.accepts) return { named, chosen: named, skipped: [] };
  const chosen = named.filter(options.accepts);
  if (chosen.length === 0) {
    const states = named.map((c) => `${c.id} is ${c.state}`).join(', ');
    const cmd = options.command ? `${options.command} can act upon` : 'the command can act upon';
    throw new UsageError(`The set '${parsed.text}' names no machine ${cmd} (${states}).`);
  }
  return { named, chosen, skipped: named.filter((c) => !chosen.includes(c)) };
}

/** The clones a set names that the command acts upon (`chooseBySet(...).chosen`). */
export function resolveSet<T extends SetMember>(set: ParsedSet | string, clones: readonly T[], options: ResolveOptions<T> = {}): T[] {
  return chooseBySet(set, clones, options).chosen;
}

/** Sorted numbers as a set text: [1,2,3,5] -> "1-3,5". */
export function compactNumbers(ids: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    out.push(i === j ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
