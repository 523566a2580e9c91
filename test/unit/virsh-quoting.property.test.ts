/**
 * Bad input by the thousand (fast-check) for what the product writes on a virsh session line: the quoting of
 * arguments, the guest agent's JSON, and how a line's echo is recognised. virsh's parser is the model in
 * virshLineModel.ts, itself checked here against what real virsh printed (test/fixtures/virsh/line-parser.json).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { UsageError } from '../../src/core/errors';
import { ControlCharacterError, quoteVirshArg, virshLine } from '../../src/libvirt/virsh/quote';
import { metaEscapedEcho } from '../../src/libvirt/virsh/inputrc';
import { agentCommandArgs } from '../../src/libvirt/guests/agent';
import { echoShellOutput, parseVirshLine } from './virshLineModel';

interface Fixture {
  readonly lines: readonly { fragment: string; stdout: string; error?: string }[];
  readonly echoes: readonly { line: string; echo: string }[];
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/virsh/line-parser.json'), 'utf8')) as Fixture;

const CONTROL = /[\x00-\x1f\x7f]/;
/** Characters that matter to virsh's parser, its line editor, JSON, XML and our reply markers. */
const TRICKY = [...`'"\\;# \t\n\r\x00\x01\x15\x17\x1b\x7f-=_:/.,@+$\`()*?[]{}|<>&!~^%`, 'é', '東', '🙂', '\u2028', '\uFEFF', '\u0085', '__Q2C', 'virsh # ', '--', "'\\''"];
const tricky = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 20 }),
  fc.string({ unit: fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 })), maxLength: 30 }),
);
const RUNS = 5000;

describe('virsh session lines: properties (fast-check)', () => {
  it('the model of virsh\'s parser agrees with every line captured from real virsh', () => {
    assert.ok(fixture.lines.length >= 40);
    for (const f of fixture.lines) {
      const parsed = parseVirshLine(`echo --shell -- ${f.fragment}`);
      if (f.error) {
        assert.deepEqual(parsed, { error: f.error }, f.fragment);
        continue;
      }
      assert.ok('commands' in parsed, f.fragment);
      assert.equal(parsed.commands.map(echoShellOutput).join(''), f.stdout, f.fragment);
    }
  });

  it(`an argument without control characters reads back exactly, as one argument of one command (${RUNS} strings)`, () => {
    fc.assert(
      fc.property(tricky, (s) => {
        let q: string;
        try {
          q = quoteVirshArg(s);
        } catch (e) {
          assert.ok(e instanceof ControlCharacterError, `only ControlCharacterError, got ${String(e)}`);
          assert.ok(CONTROL.test(s), 'refused only for a control character');
          assert.ok(!CONTROL.test(e.message), 'the message shows no raw control character');
          return;
        }
        assert.ok(!CONTROL.test(s));
        assert.ok(!CONTROL.test(q), 'nothing the line editor acts upon');
        assert.deepEqual(parseVirshLine(`echo -- ${q}`), { commands: [['echo', '--', s]] });
      }),
      { numRuns: RUNS },
    );
  });

  it(`a whole line is one command with exactly its arguments, or a UsageError (${RUNS} argument lists)`, () => {
    fc.assert(
      fc.property(fc.constantFrom('echo', 'domuuid', 'qemu-agent-command'), fc.array(tricky, { maxLength: 6 }), (cmd, rest) => {
        const args = [cmd, ...rest];
        let line: string;
        try {
          line = virshLine(args);
        } catch (e) {
          assert.ok(e instanceof UsageError, String(e));
          assert.ok(rest.some((a) => CONTROL.test(a)));
          return;
        }
        assert.ok(!CONTROL.test(line), 'nothing the line editor acts upon');
        assert.deepEqual(parseVirshLine(line), { commands: [args] });
      }),
      { numRuns: RUNS },
    );
  });

  it(`a guest agent command is always writable and its JSON reads back equal (${RUNS} argument vectors)`, () => {
    fc.assert(
      fc.property(fc.array(tricky, { minLength: 1, maxLength: 5 }), (argv) => {
        const args = agentCommandArgs('0b4f6f0e-0000-4000-8000-000000000001', 'guest-exec', { path: argv[0], arg: argv.slice(1), 'capture-output': true });
        const line = virshLine(args);
        assert.ok(!CONTROL.test(line), 'nothing the line editor acts upon');
        const parsed = parseVirshLine(line);
        assert.ok('commands' in parsed);
        assert.equal(parsed.commands.length, 1);
        const json = parsed.commands[0]![2]!;
        assert.deepEqual(JSON.parse(json), { execute: 'guest-exec', arguments: { path: argv[0], arg: argv.slice(1), 'capture-output': true } });
      }),
      { numRuns: RUNS },
    );
  });

  it('recognises the echo readline prints when it is not 8-bit clean, as captured from real virsh', () => {
    for (const e of fixture.echoes) assert.equal(metaEscapedEcho(e.line), e.echo, e.line);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const echo = metaEscapedEcho(s);
        assert.ok(/^[\x00-\x7f]*$/.test(echo), 'the escaped echo is ASCII');
        if (/^[\x00-\x7f]*$/.test(s)) assert.equal(echo, s);
        else assert.notEqual(echo, s);
      }),
      { numRuns: RUNS },
    );
  });
});
