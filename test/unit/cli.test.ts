import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parseArgs } from '../../src/cli/args';
import { runCli } from '../../src/cli/run';
import { CLI_COMMANDS } from '../../src/cli/commands';
import { inventoryXml, xmlAttr } from '../../src/cli/listXml';
import { cloneRows } from '../../src/cli/commands/clones/list';
import { UsageError } from '../../src/core/errors';
import type { CloneInfo, Inventory } from '../../src/libvirt/api';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process for commands that must not need libvirt (the service factory refuses). */
async function cli(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    io: {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: { PATH: '/nonexistent', ...env },
      stdinIsTTY: false,
    },
    makeService: () => {
      throw new Error('this command must not need libvirt');
    },
  });
  return { code, stdout, stderr };
}

describe('CLI argument parser', () => {
  it('reads options left to right, later ones win', () => {
    const p = parseArgs(['-t', 'A', '-q', '-r', '-t', 'B', '-v', '-n', 'clone', '3']);
    assert.equal(p.options.template, 'B');
    assert.equal(p.options.quiet, false);
    assert.equal(p.options.run, false);
    assert.equal(p.command, 'clone');
    assert.deepEqual(p.args, ['3']);
  });
  it('knows every option of the manual, short and long', () => {
    const p = parseArgs(['-Q', '-c', 'qemu:///session', '-s', '/var/x', '-f', '-S', 'list']);
    assert.deepEqual(
      { ...p.options },
      { quieter: true, help: false, connection: 'qemu:///session', storage: '/var/x', useSpice: false, spicy: true },
    );
    const l = parseArgs(['--quieter', '--connection=qemu:///system', '--template', 'T', '--storage=pool', '--use-spice', '--virt-viewer', '--run', '--verbose', 'list']);
    assert.equal(l.options.quieter, true);
    assert.equal(l.options.connection, 'qemu:///system');
    assert.equal(l.options.template, 'T');
    assert.equal(l.options.storage, 'pool');
    assert.equal(l.options.useSpice, true);
    assert.equal(l.options.spicy, false);
    assert.equal(l.options.run, true);
    assert.equal(l.options.quiet, false);
    assert.equal(parseArgs(['--no-run', '--no-spice', '--quiet', '--spicy', 'x']).options.run, false);
    assert.equal(parseArgs(['-h']).options.help, true);
    assert.equal(parseArgs(['--help']).options.help, true);
  });
  it('bundles flags and takes -tNAME', () => {
    const p = parseArgs(['-qnTdebian', 'list'].map((a) => a.replace('T', 't')));
    assert.equal(p.options.quiet, true);
    assert.equal(p.options.run, false);
    assert.equal(p.options.template, 'debian');
  });
  it('stops at the command word: what follows is the command’s, even if it looks like an option', () => {
    const p = parseArgs(['-t', 'T', 'exec', 'all', '-q echo "$name"', '-v']);
    assert.equal(p.options.quiet, undefined);
    assert.deepEqual(p.args, ['all', '-q echo "$name"', '-v']);
    assert.equal(parseArgs(['--', '-weird']).command, '-weird');
  });
  it('-Q works only as the first option', () => {
    assert.throws(() => parseArgs(['-q', '-Q', 'list']), (e: unknown) => e instanceof UsageError && /first option/.test(e.message));
    assert.throws(() => parseArgs(['-qQ', 'list']), /first option/);
    assert.equal(parseArgs(['-Qq', 'list']).options.quieter, true);
  });
  it('rejects --quieter=VALUE and long names of the object prototype (found by generated command lines)', () => {
    // Shrunk counterexamples: --quieter=- was read as -Q; --constructor=x said "takes no value", as if it were an option.
    assert.throws(() => parseArgs(['--quieter=-']), (e: unknown) => e instanceof UsageError && e.message === 'Option --quieter takes no value.');
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      for (const w of [`--${name}`, `--${name}=x`]) {
        assert.throws(() => parseArgs([w, 'list']), (e: unknown) => e instanceof UsageError && e.message.startsWith(`Unknown option --${name};`), w);
      }
    }
  });
  it('rejects unknown options and missing values', () => {
    assert.throws(() => parseArgs(['-x', 'list']), /Unknown option -x/);
    assert.throws(() => parseArgs(['--frobnicate', 'list']), /Unknown option --frobnicate/);
    assert.throws(() => parseArgs(['-t']), /-t needs a value/);
    assert.throws(() => parseArgs(['--template=', 'list']), /needs a value/);
    assert.throws(() => parseArgs(['--run=1', 'list']), /takes no value/);
  });
});

describe('CLI dispatch', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-cli-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('dispatches every command of the manual to its own implementation (which reads its arguments)', async () => {
    const manual = ['clone', 'connect', 'destroy', 'edit', 'exec', 'list', 'resume', 'rm', 'rm-wipe', 'rm-shred', 'save', 'save-rm', 'start', 'suspend',
      'copy-template', 'delete-template', 'import-template', 'list-templates', 'modify-template', 'check', 'config'];
    // Beyond the manual, an explicit list: validate (the schema check), the disk commands (libguestfs), the
    // running-guest commands (top: their usage; vnc: their VNC display), policy (power-off policies of clones), identity
    // (clones' hostnames, machine-ids and host keys), hook (the libvirt hook that applies policies) and snapshot.
    const added = ['validate', 'ls', 'cat', 'diff', 'copy-in', 'copy-out', 'shutdown', 'reboot', 'reset', 'ip', 'ssh', 'guest-exec', 'top', 'vnc', 'policy', 'identity', 'hook', 'snapshot'];
    // The manual's commands and those added; nothing else, nothing missing.
    assert.deepEqual([...CLI_COMMANDS.keys()].sort(), [...manual, ...added].sort());
    for (const c of [...manual, ...added.filter((a) => !['validate', 'policy', 'hook'].includes(a))]) {
      assert.equal(CLI_COMMANDS.get(c)!.name, c);
      // Too many arguments: each implementation refuses them itself, naming itself, before anything else happens.
      const r = await cli(['-t', 'T', c, 'a1', 'a2', 'a3', 'a4', 'a5'], { QQ2CLONE_HOME: home });
      assert.equal(r.code, 12, `${c}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^qq2clone: (Unknown )?${c} (takes|sub-command)`), c);
    }
  });
  it('-h prints the usage with every command and exits 0', async () => {
    const r = await cli(['-h']);
    assert.equal(r.code, 0);
    for (const c of CLI_COMMANDS.keys()) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  });
  it('no command or an unknown one is exit 12 with a message on stderr', async () => {
    const none = await cli([]);
    assert.equal(none.code, 12);
    assert.match(none.stderr, /^qq2clone: No command given/);
    const bad = await cli(['frobnicate']);
    assert.equal(bad.code, 12);
    assert.equal(bad.stderr, "qq2clone: Unknown command 'frobnicate'; qq2clone -h lists the commands.\n");
  });
  it('-Q silences errors of commands whose output is not their purpose', async () => {
    const r = await cli(['-Q', 'frobnicate']);
    assert.equal(r.code, 12);
    assert.equal(r.stderr, '');
    const s = await cli(['-Q', '-t', 'a/b', 'start', '1'], { QQ2CLONE_HOME: home });
    assert.deepEqual([s.code, s.stderr], [12, '']);
  });
  it('config list prints every setting with the manual defaults under QQ2CLONE_HOME', async () => {
    const r = await cli(['config', 'list'], { QQ2CLONE_HOME: home });
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^TEMPLATE_DIR='${home}/templates'$`, 'm'));
    assert.match(r.stdout, new RegExp(`^STORAGE='${home}/qq2clone-pool'$`, 'm'));
    assert.match(r.stdout, /^TEMPLATE='0'$/m);
    assert.match(r.stdout, /^USE_SPICE='0'$/m); // no viewer on this PATH
    assert.match(r.stdout, /^S_TIMEOUT='10'$/m);
  });
  it('config.json overrides defaults; config info explains an option; -Q keeps config output', async () => {
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ TEMPLATE: 'Debian', S_TIMEOUT: 30 }));
    const r = await cli(['-Q', 'config', 'info', 'S_TIMEOUT'], { QQ2CLONE_HOME: home });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Wait this many seconds/);
    assert.match(r.stdout, /Default value: '10'\nCurrent value: '30'/);
    assert.match((await cli(['config', 'list'], { QQ2CLONE_HOME: home })).stdout, /^TEMPLATE='Debian'$/m);
    const bad = await cli(['config', 'info', 'NOPE'], { QQ2CLONE_HOME: home });
    assert.equal(bad.code, 12);
    assert.match(bad.stderr, /Unknown option 'NOPE'/);
  });
  it('a malformed config.json is exit 18 naming the file; a bad value is exit 12', async () => {
    fs.writeFileSync(path.join(home, 'config.json'), '{ nope');
    const r = await cli(['config', 'list'], { QQ2CLONE_HOME: home });
    assert.equal(r.code, 18);
    assert.match(r.stderr, /config\.json is not valid JSON/);
    fs.writeFileSync(path.join(home, 'config.json'), '{"QUIET": "yes"}');
    assert.equal((await cli(['config', 'list'], { QQ2CLONE_HOME: home })).code, 12);
  });
  it('clone commands without a template, or with a bad name, are exit 12 before libvirt is asked', async () => {
    const none = await cli(['list'], { QQ2CLONE_HOME: home });
    assert.equal(none.code, 12);
    assert.match(none.stderr, /No template given: use -t NAME/);
    for (const name of ['a/b', "it's", 'say"hi"', '', 'a b', '-x']) {
      const r = await cli(['-t', name, 'start', '1'], { QQ2CLONE_HOME: home });
      assert.equal(r.code, 12, name);
      assert.match(r.stderr, /Invalid template name|needs a value/, name);
    }
  });
  it('wrong argument counts and bad clone numbers are exit 12', async () => {
    const env = { QQ2CLONE_HOME: home };
    assert.match((await cli(['-t', 'T', 'start'], env)).stderr, /start takes SET; got no arguments/);
    assert.match((await cli(['-t', 'T', 'exec', '1'], env)).stderr, /exec takes SET COMMAND-STRING/);
    assert.match((await cli(['-t', 'T', 'list', 'some'], env)).stderr, /list takes 'all' or 'xml'/);
    for (const n of ['0', '-1', 'x', '2.5', '100000']) assert.equal((await cli(['-t', 'T', 'clone', n], env)).code, 12, n);
  });
});

describe('list output', () => {
  const clone = (template: string, id: number, name: string, state: CloneInfo['state']): CloneInfo => ({
    template, id, name, uuid: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`, state, reason: '', saved: state === 'saved',
  });
  const inv: Inventory = {
    templates: [
      { name: 'Deb&"ian"', xmlPath: '/t/a.xml', disks: [] },
      { name: 'empty', xmlPath: '/t/e.xml', disks: [] },
    ],
    clones: [clone('Deb&"ian"', 10, "c<10>'", 'running'), clone('Deb&"ian"', 2, 'c2', 'saved'), clone('gone', 1, 'g1', 'off')],
    foreign: [],
  };
  it('list xml is one well-formed document with escaped attributes, clones in number order', () => {
    const xml = inventoryXml(inv);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'template' || n === 'clone' }).parse(xml);
    const templates = doc.qq2clone.template as { name: string; clone?: { id: string; name: string; uuid: string; state: string }[] }[];
    assert.deepEqual(templates.map((t) => t.name), ['Deb&"ian"', 'empty', 'gone']);
    assert.deepEqual(templates[0]!.clone!.map((c) => [c.id, c.name, c.state]), [['2', 'c2', 'saved'], ['10', "c<10>'", 'running']]);
    assert.equal(templates[1]!.clone, undefined);
    assert.match(xml, /name="Deb&amp;&quot;ian&quot;"/);
  });
  it('xmlAttr escapes markup and control characters', () => {
    assert.equal(xmlAttr(`<a & 'b' "c">\n`), '&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;&#10;');
    assert.equal(xmlAttr('x\x01y'), 'x\uFFFDy');
  });
  it('list rows are number, name, state, aligned and in number order', () => {
    assert.equal(cloneRows(inv.clones.filter((c) => c.template !== 'gone')), ` 2  c2      saved\n10  c<10>'  running\n`);
  });
});
