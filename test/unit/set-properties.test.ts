/**
 * The SET parser (src/core/set.ts) tried by the thousand: generated sets against a model of the manual's SETS
 * section written independently of the parser, compactNumbers' text read back, and arbitrary text that must
 * never throw and must point at what is wrong.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { compactNumbers, parseSet, parseSetOrThrow, resolveSet, setMatches, type SetMember } from '../../src/core/set';
import { UsageError } from '../../src/core/errors';
import { CLONE_STATES, type CloneState } from '../../src/core/states';

const RUNS = 5000;

/** One item of a set as the manual describes it. */
type Item =
  | { kind: 'all' }
  | { kind: 'state'; not: boolean; state: CloneState }
  | { kind: 'range'; not: boolean; lo: number; hi: number; single: boolean };

const small = fc.integer({ min: 1, max: 40 });
const item: fc.Arbitrary<Item> = fc.oneof(
  fc.constant<Item>({ kind: 'all' }),
  fc.record({ kind: fc.constant('state' as const), not: fc.boolean(), state: fc.constantFrom(...CLONE_STATES) }),
  fc
    .tuple(fc.boolean(), small, small, fc.boolean())
    .map(([not, a, b, single]): Item => ({ kind: 'range', not, lo: single ? a : Math.min(a, b), hi: single ? a : Math.max(a, b), single })),
);

/** A set as written: items in any order, at least one that includes. */
const written = fc
  .array(item, { minLength: 1, maxLength: 8 })
  .filter((items) => items.some((i) => i.kind === 'all' || !i.not));

/** Leading zeros are allowed in a machine number (007 is 7). */
const numberText = (n: number, zeros: number): string => `${'0'.repeat(zeros)}${n}`;

function textOf(items: readonly Item[], zeros = 0): string {
  return items
    .map((i) => {
      if (i.kind === 'all') return 'all';
      const body = i.kind === 'state' ? i.state : i.single ? numberText(i.lo, zeros) : `${numberText(i.lo, zeros)}-${numberText(i.hi, zeros)}`;
      return i.not ? `^${body}` : body;
    })
    .join(',');
}

/** The manual: a machine is named when some item includes it and no excluding item names it; numbers start at 1. */
function modelNames(items: readonly Item[], id: number, state: CloneState): boolean {
  const names = (i: Item): boolean =>
    i.kind === 'all' || (i.kind === 'state' ? i.state === state : id >= i.lo && id <= i.hi);
  const included = items.some((i) => (i.kind === 'all' || !i.not) && names(i));
  const excluded = items.some((i) => i.kind !== 'all' && i.not && names(i));
  return id >= 1 && included && !excluded;
}

/** A model of which texts are sets, from the manual's grammar alone (item by item, no positions). */
function modelIsSet(text: string): boolean {
  if (text === '' || /\s/.test(text)) return false;
  const items = text.split(',');
  let includes = false;
  for (const raw of items) {
    const not = raw.startsWith('^');
    const body = not ? raw.slice(1) : raw;
    if (body === 'all') {
      if (not) return false;
      includes = true;
      continue;
    }
    if ((CLONE_STATES as readonly string[]).includes(body)) {
      includes ||= !not;
      continue;
    }
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(body);
    if (!m) return false;
    const lo = BigInt(m[1]!);
    const hi = m[2] === undefined ? lo : BigInt(m[2]);
    if (lo < 1n || hi < 1n || hi < lo || hi > BigInt(Number.MAX_SAFE_INTEGER) || lo > BigInt(Number.MAX_SAFE_INTEGER)) return false;
    includes ||= !not;
  }
  return includes;
}

/** Text made mostly of the characters sets are made of, with some of anything. */
const setish = fc.string({
  unit: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(',', '-', '^', '0', '1', '2', '9', 'all', 'running', 'in-shutdown', 'off') },
    { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\u00a0', 'A', 'é', '\u0663', '+', '.', '99999999999999999') },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 1 }) },
  ),
  maxLength: 12,
});

const stateOf = fc.constantFrom(...CLONE_STATES);

describe('SET language, generated inputs', function () {
  // Thousands of inputs each: seconds on an idle machine, more on a loaded one.
  this.timeout(60_000);
  it(`a written set names exactly what the manual's model names (${RUNS} sets, each against 45 machines)`, () => {
    fc.assert(
      fc.property(written, fc.nat({ max: 3 }), fc.array(stateOf, { minLength: 45, maxLength: 45 }), (items, zeros, states) => {
        const text = textOf(items, zeros);
        const parsed = parseSetOrThrow(text);
        assert.equal(parsed.text, text);
        for (let id = 0; id < states.length; id++) {
          assert.equal(setMatches(parsed, id, states[id]!), modelNames(items, id, states[id]!), `${text}: machine ${id} (${states[id]})`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`order does not matter (${RUNS} sets, each shuffled)`, () => {
    fc.assert(
      fc.property(written.chain((items) => fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length }))), ([items, shuffled]) => {
        const a = parseSetOrThrow(textOf(items));
        const b = parseSetOrThrow(textOf(shuffled));
        for (let id = 0; id <= 41; id++) for (const s of CLONE_STATES) assert.equal(setMatches(a, id, s), setMatches(b, id, s));
      }),
      { numRuns: RUNS },
    );
  });

  it(`compactNumbers' text reads back as the same machines (${RUNS} lists of numbers)`, () => {
    const universe = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(universe, (raw) => {
        const ids = [...raw].sort((a, b) => a - b);
        const text = compactNumbers(ids);
        const clones: SetMember[] = Array.from({ length: 62 }, (_, i) => ({ id: i, state: 'off' as CloneState, staging: i === 0 }));
        assert.deepEqual(resolveSet(text, clones).map((c) => c.id), ids, text);
        // Written as short as it can be: no two items could be one range.
        const items = text.split(',').map((t) => t.split('-').map(Number));
        for (let k = 1; k < items.length; k++) assert.ok(items[k]![0]! > items[k - 1]!.at(-1)! + 1, text);
      }),
      { numRuns: RUNS },
    );
  });

  it(`resolveSet gives existing clones in number order, once each, never the staging clone (${RUNS} sets and inventories)`, () => {
    const inventory = fc.uniqueArray(fc.record({ id: fc.integer({ min: 0, max: 45 }), state: stateOf, staging: fc.boolean() }), {
      selector: (c) => c.id,
      maxLength: 30,
    });
    fc.assert(
      fc.property(written, inventory, (items, clones) => {
        const text = textOf(items);
        const expected = clones.filter((c) => !c.staging && modelNames(items, c.id, c.state)).map((c) => c.id).sort((a, b) => a - b);
        let got: number[] | UsageError;
        try {
          got = resolveSet(text, clones).map((c) => c.id);
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
          got = e;
        }
        if (expected.length === 0) assert.ok(got instanceof UsageError && /names no existing machine/.test(got.message), text);
        else assert.deepEqual(got, expected, text);
      }),
      { numRuns: RUNS },
    );
  });

  it(`arbitrary text: never throws, agrees with the grammar's model, and errors point into the text (${RUNS * 4} texts)`, () => {
    fc.assert(
      fc.property(fc.oneof(setish, fc.string({ unit: 'grapheme', maxLength: 12 })), (text) => {
        const r = parseSet(text);
        assert.equal(r.ok, modelIsSet(text), `'${text}'`);
        if (r.ok) return;
        const { offset, length, message } = r.error;
        assert.ok(Number.isInteger(offset) && offset >= 0 && length >= 1, `'${text}': ${offset}+${length}`);
        // The span covers text, or is the one column just after it (an item missing at the end).
        assert.ok(offset + length <= Math.max(text.length, offset + 1), `'${text}': ${offset}+${length} ${message}`);
        // What the message quotes is what the span covers.
        const m = /^(?:Unknown word '(.*)': a set names|'(.*)' is not a machine number|([0-9]+) is too large)/s.exec(message);
        const quoted = m?.[1] ?? m?.[2] ?? m?.[3];
        if (quoted !== undefined) assert.equal(text.slice(offset, offset + length), quoted, `'${text}': ${message}`);
        assert.throws(
          () => parseSetOrThrow(text),
          (e: unknown) => e instanceof UsageError && e.message.includes(`at column ${offset + 1}: ${message}`),
        );
      }),
      { numRuns: RUNS * 4 },
    );
  });
});
