/**
 * The CLI against details of the manual: -q suppresses prompts (safe default or an error), -Q keeps the output of
 * exactly the commands the manual lists, a malformed SET is a bad argument whatever the template.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, speaksUnderQuieter } from '../../src/cli/run';
import { CLI_COMMANDS } from '../../src/cli/commands';
import { createLibvirtService } from '../../src/libvirt';

/** A connection URI with no daemon behind it: the service object is real, and never reaches libvirt here. */
const NO_DAEMON_URI = 'qemu+unix:///system?socket=/nonexistent/libvirt-sock';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** The questions the CLI asked on the "terminal". */
  asked: string[];
}

describe('CLI details of the manual', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-cli-manual-'));
    fs.mkdirSync(path.join(home, 'templates'));
    fs.writeFileSync(path.join(home, 'templates', 'T.xml'), "<domain type='qemu'><name>T</name></domain>\n");
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  /** Runs the CLI in-process as if on a terminal (when `tty`), answering every question with `answer`. */
  async function cli(argv: string[], o: { tty?: boolean; answer?: string; libvirt?: boolean } = {}): Promise<Run> {
    const r: Run = { code: -1, stdout: '', stderr: '', asked: [] };
    r.code = await runCli(argv, {
      io: {
        stdout: (t) => (r.stdout += t),
        stderr: (t) => (r.stderr += t),
        env: { QQ2CLONE_HOME: home, PATH: '/nonexistent' },
        stdinIsTTY: o.tty ?? false,
        ask: async (q) => {
          r.asked.push(q);
          return o.answer ?? 'n';
        },
      },
      makeService: (config) => {
        if (!o.libvirt) throw new Error('this command must not need libvirt');
        return createLibvirtService({ ...config, uri: NO_DAEMON_URI });
      },
    });
    return r;
  }

  it('-q suppresses the destroy-image question on a terminal and takes the safe answer: not destroyed (12)', async () => {
    const asked = await cli(['modify-template', 'T', 'destroy-image'], { tty: true, libvirt: true });
    assert.equal(asked.asked.length, 1, 'without -q it asks on a terminal');
    assert.equal(asked.code, 12);
    const quiet = await cli(['-q', 'modify-template', 'T', 'destroy-image'], { tty: true, answer: 'y', libvirt: true });
    assert.deepEqual(quiet.asked, []);
    assert.equal(quiet.code, 12);
    assert.match(quiet.stderr, /Not destroyed: destroy-image asks for confirmation on a terminal and -q \(QUIET=1\) suppresses the question/);
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ QUIET: '1' }));
    const config = await cli(['modify-template', 'T', 'destroy-image'], { tty: true, answer: 'y', libvirt: true });
    assert.deepEqual([config.asked, config.code], [[], 12], 'QUIET=1 is -q');
  });

  it('-q suppresses the config edit question: the value must be given (12); without -q it is asked', async () => {
    const quiet = await cli(['-q', 'config', 'edit', 'TEMPLATE'], { tty: true, answer: 'Debian' });
    assert.deepEqual(quiet.asked, []);
    assert.equal(quiet.code, 12);
    assert.match(quiet.stderr, /give it, e\.g\. qq2clone config edit TEMPLATE VALUE/);
    assert.equal(fs.existsSync(path.join(home, 'config.json')), false);
    const asked = await cli(['config', 'edit', 'TEMPLATE'], { tty: true, answer: 'Debian' });
    assert.equal(asked.asked.length, 1);
    assert.equal(asked.code, 0, asked.stderr);
    assert.equal(JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8')).TEMPLATE, 'Debian');
  });

  it('-Q keeps the output of exactly the commands the manual lists, modify-template NAME edit included', async () => {
    const listed: string[][] = [['config', 'list'], ['config', 'info', 'QUIET'], ['list'], ['list', 'all'], ['list-templates'], ['exec', '1', 'true'],
      ['edit', '1'], ['modify-template', 'T', 'edit'], ['check']];
    const silent: string[][] = [['clone'], ['connect', '1'], ['start', '1'], ['destroy', '1'], ['suspend', '1'], ['resume', '1'], ['save', '1'],
      ['save-rm', '1'], ['rm', '1'], ['rm-wipe', '1'], ['rm-shred', '1'], ['copy-template', 'T', 'U'], ['delete-template', 'T'],
      ['import-template', 'D'], ['modify-template', 'T', 'prepare-image'], ['modify-template', 'T', 'commit-image'],
      ['modify-template', 'T', 'destroy-image'], ['modify-template', 'T', 'discard-image'], ['modify-template', 'T', 'rename', 'U']];
    for (const [c, ...args] of listed) assert.equal(speaksUnderQuieter(CLI_COMMANDS.get(c!)!, args), true, [c, ...args].join(' '));
    for (const [c, ...args] of silent) assert.equal(speaksUnderQuieter(CLI_COMMANDS.get(c!)!, args), false, [c, ...args].join(' '));
    // End to end: an error of modify-template edit is shown under -Q, one of rename is not.
    const edit = await cli(['-Q', 'modify-template', 'nosuch', 'edit'], { libvirt: true });
    assert.equal(edit.code, 13);
    assert.match(edit.stderr, /^qq2clone: Template nosuch does not exist/);
    const rename = await cli(['-Q', 'modify-template', 'nosuch', 'rename', 'other'], { libvirt: true });
    assert.deepEqual([rename.code, rename.stderr], [13, '']);
  });

  it('a malformed SET is exit 12 even with an unknown template, before libvirt is asked', async () => {
    for (const argv of [['start', '1,,2'], ['rm', '^'], ['exec', 'x-1', 'true'], ['connect', '0']]) {
      const r = await cli(['-t', 'nosuch', ...argv]);
      assert.equal(r.code, 12, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^qq2clone: Malformed set/, argv.join(' '));
    }
  });
});
