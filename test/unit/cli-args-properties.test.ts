/**
 * The CLI's argument parser (src/cli/args.ts) tried by the thousand: command lines generated from the manual's
 * OPTIONS (short, long, bundled, -tNAME, --template=NAME, --) must read as the manual says, each kind of mistake
 * must give its UsageError, and arbitrary words must give a reading or a UsageError, nothing else.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseArgs, type CliOptions } from '../../src/cli/args';
import { UsageError } from '../../src/core/errors';

const RUNS = 5000;

/** The manual's OPTIONS: letter, long name, and what it sets (a value given, or the value it takes). */
const MANUAL: readonly { letter: string; long: string; key: keyof CliOptions; sets?: boolean }[] = [
  { letter: 'c', long: 'connection', key: 'connection' },
  { letter: 'f', long: 'no-spice', key: 'useSpice', sets: false },
  { letter: 'g', long: 'use-spice', key: 'useSpice', sets: true },
  { letter: 'h', long: 'help', key: 'help', sets: true },
  { letter: 'n', long: 'no-run', key: 'run', sets: false },
  { letter: 'q', long: 'quiet', key: 'quiet', sets: true },
  { letter: 'r', long: 'run', key: 'run', sets: true },
  { letter: 's', long: 'storage', key: 'storage' },
  { letter: 'S', long: 'spicy', key: 'spicy', sets: true },
  { letter: 't', long: 'template', key: 'template' },
  { letter: 'v', long: 'verbose', key: 'quiet', sets: false },
  { letter: 'V', long: 'virt-viewer', key: 'spicy', sets: false },
];
const FLAGS = MANUAL.filter((o) => o.sets !== undefined);
const VALUED = MANUAL.filter((o) => o.sets === undefined);
type Option = (typeof MANUAL)[number];

/** Any word, leaning towards those that look like options or hold '='. */
const word = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.constantFrom('-', '--', '-x', '--x', '=', 'a=b', '-t', '--template=', 'all', '-q echo "$name"'),
);
const value = word.filter((v) => v !== '');

/** One word (or two) of options as written, and the options it sets in order. */
type Group = { words: string[]; effects: [Option, string | undefined][] };

const flag = fc.constantFrom(...FLAGS);
const valued = fc.constantFrom(...VALUED);
const longGroup: fc.Arbitrary<Group> = fc.oneof(
  flag.map((o): Group => ({ words: [`--${o.long}`], effects: [[o, undefined]] })),
  fc
    .tuple(valued, value, fc.boolean())
    .map(([o, v, inline]): Group => ({ words: inline ? [`--${o.long}=${v}`] : [`--${o.long}`, v], effects: [[o, v]] })),
);
const shortGroup: fc.Arbitrary<Group> = fc
  .tuple(fc.array(flag, { minLength: 0, maxLength: 4 }), fc.option(fc.tuple(valued, value, fc.boolean()), { nil: undefined }))
  .filter(([flags, last]) => flags.length > 0 || last !== undefined)
  .map(([flags, last]) => {
    const letters = `-${flags.map((o) => o.letter).join('')}${last ? last[0].letter : ''}`;
    const effects: Group['effects'] = flags.map((o) => [o, undefined]);
    if (!last) return { words: [letters], effects };
    effects.push([last[0], last[1]]);
    return { words: last[2] ? [letters + last[1]] : [letters, last[1]], effects };
  });

/** A command line the manual accepts, and what it means. */
const commandLine = fc
  .record({
    quieter: fc.constantFrom('', '-Q', '--quieter', 'bundled'),
    groups: fc.array(fc.oneof(shortGroup, longGroup), { maxLength: 6 }),
    dashes: fc.boolean(),
    command: fc.option(word, { nil: undefined }),
    args: fc.array(word, { maxLength: 4 }),
  })
  .filter((c) => c.quieter !== 'bundled' || c.groups[0]?.words[0]?.startsWith('-') === true && !c.groups[0].words[0].startsWith('--'))
  // Without '--', a command word that looks like an option would be read as one.
  .filter((c) => c.dashes || c.command === undefined || c.command === '-' || !c.command.startsWith('-'))
  .map((c) => {
    const groups = c.groups.map((g) => ({ ...g, words: [...g.words] }));
    const words: string[] = [];
    if (c.quieter === 'bundled') groups[0]!.words[0] = `-Q${groups[0]!.words[0]!.slice(1)}`;
    else if (c.quieter) words.push(c.quieter);
    // Where a whole word of options may go: after -Q (which must stay first) and after each group.
    const between: number[] = c.quieter === 'bundled' ? [] : [words.length];
    for (const g of groups) {
      words.push(...g.words);
      between.push(words.length);
    }
    if (c.dashes) words.push('--');
    const rest = c.command === undefined ? [] : [c.command, ...c.args];
    const expected: Record<string, unknown> = { quieter: c.quieter !== '', help: false };
    for (const g of groups) for (const [o, v] of g.effects) expected[o.key] = v ?? o.sets;
    return { argv: [...words, ...rest], expected, command: c.command, args: c.command === undefined ? [] : c.args, between };
  });

function parsedOrError(argv: readonly string[]): ReturnType<typeof parseArgs> | UsageError {
  try {
    return parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
}

describe('CLI argument parser, generated command lines', function () {
  // Thousands of command lines each: seconds on an idle machine, more on a loaded one.
  this.timeout(60_000);

  it(`reads a command line written from the manual's OPTIONS as the manual says (${RUNS} command lines)`, () => {
    fc.assert(
      fc.property(commandLine, ({ argv, expected, command, args }) => {
        const p = parseArgs(argv);
        assert.deepEqual({ ...p.options }, expected, JSON.stringify(argv));
        assert.equal(p.command, command);
        assert.deepEqual(p.args, args);
      }),
      { numRuns: RUNS },
    );
  });

  it(`gives the UsageError that names each kind of mistake, wherever it is (${RUNS} command lines)`, () => {
    const known = new Set(MANUAL.map((o) => o.long).concat('quieter'));
    const mistake = fc.oneof(
      fc
        .oneof(fc.stringMatching(/^[a-z][a-z-]{0,12}$/), fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'))
        .filter((n) => !known.has(n))
        .chain((n) => fc.constantFrom([`--${n}`], [`--${n}=x`]).map((w) => ({ words: w, message: `Unknown option --${n};` }))),
      fc
        .constantFrom(...'abdeijklmopuwxyzABCDEFGHIJKLMNOPRTUWXYZ0123456789_!'.split(''))
        .map((l) => ({ words: [`-${l}`], message: `Unknown option -${l};` })),
      fc.tuple(fc.constantFrom(...FLAGS, { long: 'quieter', letter: 'Q' }), value).map(([o, v]) => ({ words: [`--${o.long}=${v}`], message: `Option --${o.long} takes no value.` })),
      valued.map((o) => ({ words: [`--${o.long}=`], message: `Option --${o.long} needs a value.` })),
      valued.map((o) => ({ words: [`-${o.letter}`, ''], message: `Option -${o.letter} needs a value.` })),
      fc.constantFrom('-Q', '--quieter').map((q) => ({ words: ['-q', q], message: `${q} must be the first option` })),
    );
    fc.assert(
      fc.property(commandLine, mistake, fc.nat(), ({ argv, between }, m, at) => {
        if (between.length === 0) return;
        const k = between[at % between.length]!;
        const bad = [...argv.slice(0, k), ...m.words, ...argv.slice(k)];
        const r = parsedOrError(bad);
        assert.ok(r instanceof UsageError, `${JSON.stringify(bad)} was read as ${JSON.stringify(r)}`);
        assert.ok(r.message.startsWith(m.message), `${JSON.stringify(bad)}: ${r.message}`);
      }),
      { numRuns: RUNS },
    );
  });

  it(`arbitrary words give a reading or a UsageError, and the command and its arguments are the last words (${RUNS * 4} command lines)`, () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
        const r = parsedOrError(argv);
        if (r instanceof UsageError) return;
        const n = r.args.length + (r.command === undefined ? 0 : 1);
        assert.deepEqual(r.args, argv.slice(argv.length - r.args.length));
        if (r.command !== undefined) assert.equal(r.command, argv[argv.length - n]);
        for (const v of [r.options.connection, r.options.storage, r.options.template]) {
          if (v !== undefined) assert.ok(v !== '' && argv.some((w) => w.endsWith(v)), `${JSON.stringify(argv)}: ${v}`);
        }
      }),
      { numRuns: RUNS * 4 },
    );
  });
});
