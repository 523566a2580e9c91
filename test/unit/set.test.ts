import * as assert from 'node:assert/strict';
import { compactNumbers, parseSet, parseSetOrThrow, resolveSet, type SetMember } from '../../src/core/set';
import { operationAccepts } from '../../src/core/operations';
import { UsageError } from '../../src/core/errors';
import type { CloneState } from '../../src/core/states';

/** Machines 1-12: 3, 4 and 9 running, 5 paused, 6 saved, the rest off; a staging clone 0 that sets never name. */
const STATE_OF: Record<number, CloneState> = { 3: 'running', 4: 'running', 9: 'running', 5: 'paused', 6: 'saved' };
const clones: SetMember[] = [
  { id: 0, state: 'running', staging: true },
  ...Array.from({ length: 12 }, (_, i) => ({ id: i + 1, state: STATE_OF[i + 1] ?? ('off' as CloneState) })),
];
const ids = (set: string, from: readonly SetMember[] = clones): number[] => resolveSet(set, from).map((c) => c.id);

function syntaxError(text: string): { message: string; offset: number; length: number } {
  const r = parseSet(text);
  assert.equal(r.ok, false, `expected '${text}' to be malformed`);
  return (r as { error: { message: string; offset: number; length: number } }).error;
}

describe('SET language', () => {
  describe("the manual's examples", () => {
    it('1 is machine 1', () => assert.deepEqual(ids('1'), [1]));
    it('3,7 is machines 3 and 7', () => assert.deepEqual(ids('3,7'), [3, 7]));
    it('1,2-5,^3 is machines 1, 2-5 excluding 3', () => assert.deepEqual(ids('1,2-5,^3'), [1, 2, 4, 5]));
    it('1-10,^3-7 is machines 1-10 excluding 3-7', () => assert.deepEqual(ids('1-10,^3-7'), [1, 2, 8, 9, 10]));
    it('all is every machine (not the staging clone)', () => assert.deepEqual(ids('all'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    it("all,^running is every machine that isn't running", () => assert.deepEqual(ids('all,^running'), [1, 2, 5, 6, 7, 8, 10, 11, 12]));
    it('^running,1-10 is 1-10 except the running ones', () => assert.deepEqual(ids('^running,1-10'), [1, 2, 5, 6, 7, 8, 10]));
    it('1-10 is valid although only 3-7 exist', () => {
      const some = clones.filter((c) => c.id >= 3 && c.id <= 7);
      assert.deepEqual(ids('1-10', some), [3, 4, 5, 6, 7]);
    });
  });

  describe('semantics', () => {
    it('is order-independent', () => {
      assert.deepEqual(ids('^3,1,2-5'), ids('1,2-5,^3'));
      assert.deepEqual(ids('^3-7,1-10'), ids('1-10,^3-7'));
    });
    it('a state word without ^ includes the machines in that state', () => {
      assert.deepEqual(ids('running'), [3, 4, 9]);
      assert.deepEqual(ids('saved,paused'), [5, 6]);
      assert.deepEqual(ids('1,running'), [1, 3, 4, 9]);
    });
    it('exclusions win over inclusions of any kind', () => {
      assert.deepEqual(ids('running,^4'), [3, 9]);
      assert.deepEqual(ids('3-5,^paused'), [3, 4]);
    });
    it('every state word parses', () => {
      for (const w of ['all', 'crashed', 'idle', 'in-shutdown', 'off', 'paused', 'pmsuspended', 'running', 'saved']) {
        assert.equal(parseSet(w).ok, true, w);
        if (w !== 'all') assert.equal(parseSet(`all,^${w}`).ok, true, `^${w}`);
      }
    });
    it('results come in number order without duplicates', () => assert.deepEqual(ids('7,1-3,2,running'), [1, 2, 3, 4, 7, 9]));
    it('a single-number range and a huge range work without expanding', () => {
      assert.deepEqual(ids('5-5'), [5]);
      assert.deepEqual(ids('11-9007199254740991'), [11, 12]);
    });
    it('keeps the parsed parts', () => {
      const s = parseSetOrThrow('1,2-5,^3,^running,all');
      assert.equal(s.all, true);
      assert.deepEqual(s.include.ranges, [[1, 1], [2, 5]]);
      assert.deepEqual(s.exclude.ranges, [[3, 3]]);
      assert.deepEqual(s.exclude.states, ['running']);
    });
  });

  describe('malformed sets (UsageError, exit 12, with the position)', () => {
    const cases: [string, number, RegExp][] = [
      ['', 0, /empty/],
      ['1, 2', 2, /whitespace/],
      ['1,,2', 2, /Empty item/],
      [',1', 0, /Empty item/],
      ['1,', 2, /Empty item/],
      ['0', 0, /start at 1/],
      ['1,0-3', 2, /start at 1/],
      ['2-0', 2, /start at 1/],
      ['-3', 0, /both sides/],
      ['3-', 0, /both sides/],
      ['5-2', 0, /backwards.*2-5/],
      ['1-2-3', 2, /not a machine number/],
      ['^', 0, /must be followed/],
      ['1,^', 2, /must be followed/],
      ['^^1', 1, /not a machine number/],
      ['^all', 0, /every machine/],
      ['runing', 0, /Unknown word 'runing'/],
      ['1,RUNNING', 2, /Unknown word/],
      ['1.5', 0, /not a machine number/],
      ['+3', 0, /not a machine number/],
      ['a-3', 0, /'a' is not a machine number/],
      ['1-x', 2, /'x' is not a machine number/],
      ['99999999999999999999', 0, /too large/],
      ['^running', 0, /only excludes.*all,\^running/],
      ['^1-3,^off', 0, /only excludes/],
    ];
    for (const [text, offset, msg] of cases) {
      it(`'${text}' is malformed at offset ${offset}`, () => {
        const e = syntaxError(text);
        assert.match(e.message, msg);
        assert.equal(e.offset, offset);
        assert.ok(e.length >= 1);
      });
    }
    it('parseSetOrThrow and resolveSet throw a UsageError naming the column', () => {
      assert.throws(() => parseSetOrThrow('1,x'), (e: unknown) => e instanceof UsageError && e.exitCode === 12 && /column 3/.test(e.message));
      assert.throws(() => resolveSet('1,,2', clones), UsageError);
    });
  });

  describe('resolving against existing clones', () => {
    it('a set naming zero existing machines is an error that lists what exists', () => {
      assert.throws(() => ids('20-30'), (e: unknown) => e instanceof UsageError && /names no existing machine.*1-12/.test(e.message));
      assert.throws(() => ids('crashed'), UsageError);
      assert.throws(() => ids('1', []), /there are no clones/);
    });
    it('the staging clone (number 0) is never named', () => {
      assert.throws(() => ids('running', [{ id: 0, state: 'running', staging: true }]), UsageError);
    });
    it('a set with no machine the command may act upon is an error', () => {
      const resume = (set: string) =>
        resolveSet(set, clones, { command: 'resume', accepts: (c) => operationAccepts('resume', c.state) }).map((c) => c.id);
      assert.deepEqual(resume('1-6'), [5]);
      assert.throws(() => resume('1-4'), (e: unknown) => e instanceof UsageError && /resume can act upon.*3 is running/.test(e.message));
    });
  });

  it('operations accept the states the manual describes', () => {
    assert.equal(operationAccepts('start', 'saved'), true);
    assert.equal(operationAccepts('start', 'running'), false);
    assert.equal(operationAccepts('save', 'running'), true);
    assert.equal(operationAccepts('save', 'off'), false);
    assert.equal(operationAccepts('save-rm', 'saved'), true);
    assert.equal(operationAccepts('rm', 'running'), true);
    assert.equal(operationAccepts('suspend', 'paused'), false);
  });

  it('compactNumbers writes runs as ranges', () => {
    assert.equal(compactNumbers([1, 2, 3, 5, 7, 8]), '1-3,5,7-8');
    assert.equal(compactNumbers([]), '');
  });
});
