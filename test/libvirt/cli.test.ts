/**
 * The qq2clone CLI end to end on the real daemon: the CLI built as dist/cli.js is (its bin and chunks, esbuild.js)
 * runs as its own process with QQ2CLONE_HOME inside the test bed, on real clones of a tiny TCG template.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { build, type BuildOptions } from 'esbuild';
import { XMLParser } from 'fast-xml-parser';
import { runCli } from '../../src/cli/run';
import { createLibvirtService } from '../../src/libvirt';
import { CONNECTIONS_FILE } from '../../src/libvirt/storage';
import { TestBed, TEST_URI, qemuImg, virsh, domainExists } from '../testbed';

const { cliTargets } = createRequire(__filename)('../../esbuild.js') as { cliTargets: (dir: string, base: BuildOptions) => BuildOptions[] };

/** A connection URI with no daemon behind it. */
const NO_DAEMON_URI = 'qemu+unix:///system?socket=/nonexistent/libvirt-sock';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface ListedClone {
  id: string;
  name: string;
  uuid: string;
  state: string;
}

describe('qq2clone CLI against libvirt', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let home: string;
  let cliJs: string;
  let tpl: { name: string; xmlPath: string; disk: string };

  const q = (...args: string[]): Run => {
    const r = spawnSync(process.execPath, [cliJs, ...args], {
      encoding: 'utf8',
      env: { ...process.env, QQ2CLONE_HOME: home, LIBVIRT_DEFAULT_URI: process.env.QQ2CLONE_TEST_URI ?? 'qemu:///system' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** Runs and expects exit 0, showing stderr otherwise. */
  const ok = (...args: string[]): string => {
    const r = q(...args);
    assert.equal(r.code, 0, `qq2clone ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const listXml = (): ListedClone[] => {
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'template' || n === 'clone' }).parse(
      ok('list', 'xml'),
    );
    const t = (doc.qq2clone.template as { name: string; clone?: ListedClone[] }[]).find((x) => x.name === tpl.name);
    assert.ok(t, `list xml has no <template name="${tpl.name}">`);
    return t.clone ?? [];
  };
  const state = (name: string): string => virsh('domstate', name).trim();

  before(async () => {
    bed = new TestBed('cli');
    home = bed.root;
    tpl = bed.makeTemplateFile(path.join(home, 'templates'), 'tpl');
    cliJs = path.join(home, 'cli.js');
    // Built as dist/cli.js is (esbuild.js): the bin, which starts a command's sessions early, and the chunks.
    await Promise.all(cliTargets(home, { bundle: true, platform: 'node', target: 'node20', logLevel: 'silent', plugins: [] }).map((t) => build(t)));
    // The CLI's settings: this template by default, clones not run on creation.
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ TEMPLATE: tpl.name, NORUN: '1' }));
  });

  after(() => {
    if (cliJs && fs.existsSync(cliJs)) q('-Q', 'rm', 'all');
    bed?.cleanup();
  });

  it('clone 3 makes three defined, stopped clones on overlays of the template disk', () => {
    ok('clone', '3');
    const clones = listXml();
    assert.deepEqual(clones.map((c) => c.id), ['1', '2', '3']);
    for (const c of clones) {
      assert.equal(c.state, 'off');
      assert.equal(virsh('domuuid', c.name).trim(), c.uuid);
      assert.equal(state(c.name), 'shut off');
    }
  });

  it('list prints number, name and state of the current template’s clones; list all every template', () => {
    const clones = listXml();
    const rows = ok('list').trimEnd().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows, clones.map((c) => [c.id, c.name, 'off']));
    const all = ok('list', 'all');
    assert.match(all, new RegExp(`^${tpl.name}\\n`, 'm'));
    assert.equal(ok('-t', tpl.name, 'list'), ok('list'));
    assert.equal(ok('list-templates').split('\n').includes(tpl.name), true);
  });

  it('start SET starts exactly the named machines; a set with nothing to start is exit 12', () => {
    const [c1, c2, c3] = listXml();
    ok('start', '1,2');
    assert.equal(state(c1!.name), 'running');
    assert.equal(state(c2!.name), 'running');
    assert.equal(state(c3!.name), 'shut off');
    const again = q('start', '1-2');
    assert.equal(again.code, 12);
    assert.match(again.stderr, /^qq2clone: .*names no machine start can act upon \(1 is running, 2 is running\)/);
  });

  it('save puts a machine in the saved state and start restores it', () => {
    const c1 = listXml()[0]!;
    ok('save', '1');
    assert.equal(listXml()[0]!.state, 'saved');
    assert.match(virsh('domstate', '--reason', c1.name), /shut off \(saved/);
    ok('start', 'saved');
    assert.equal(listXml()[0]!.state, 'running');
    assert.match(virsh('domstate', '--reason', c1.name), /running \(restored/);
  });

  it('exec runs the command per clone in number order with uuid, name and disks in the environment', () => {
    const out = path.join(home, 'exec-out');
    fs.mkdirSync(out);
    // The values reach the command only through the environment; the command text never changes.
    const cmd = `printf '%s' "$uuid" > "$OUT/$name.uuid"; printf '%s' "$disks" > "$OUT/$name.disks"; echo "$name" >> "$OUT/order"`;
    const r = spawnSync(process.execPath, [cliJs, 'exec', 'all', cmd], {
      encoding: 'utf8',
      env: { ...process.env, QQ2CLONE_HOME: home, OUT: out },
    });
    assert.equal(r.status, 0, r.stderr);
    const clones = listXml();
    assert.deepEqual(fs.readFileSync(path.join(out, 'order'), 'utf8').trim().split('\n'), clones.map((c) => c.name));
    for (const c of clones) {
      assert.equal(fs.readFileSync(path.join(out, `${c.name}.uuid`), 'utf8'), c.uuid);
      const disks = fs.readFileSync(path.join(out, `${c.name}.disks`), 'utf8').split('\n');
      assert.equal(disks.length, 1);
      const info = JSON.parse(qemuImg('info', '--output=json', '-U', disks[0]!)) as { format: string; 'backing-filename'?: string };
      assert.equal(info.format, 'qcow2');
      assert.equal(info['backing-filename'], tpl.disk);
    }
  });

  it('exec stops at the first non-zero exit with status 14 and says where', () => {
    const ran = path.join(home, 'exec-ran');
    const r = q('exec', '1-3', `echo "$name" >> '${ran}'; test "$(wc -l < '${ran}')" -lt 2`);
    assert.equal(r.code, 14);
    const clones = listXml();
    assert.deepEqual(fs.readFileSync(ran, 'utf8').trim().split('\n'), [clones[0]!.name, clones[1]!.name]);
    assert.match(r.stderr, new RegExp(`^qq2clone: exec stopped at machine 2 \\(${clones[1]!.name}\\): the command exited with status 1; not run for 3\\.`));
  });

  it('destroy running turns the running machines off', () => {
    ok('destroy', 'running');
    assert.deepEqual(listXml().map((c) => c.state), ['off', 'off', 'off']);
  });

  it('bad input gives the manual’s exit codes and clear messages', () => {
    const cases: [string[], number, RegExp][] = [
      [['-t', `${bed.prefix}-nosuch`, 'list'], 13, /Template '.*-nosuch' does not exist \(known templates: .*tpl/],
      [['-t', `${bed.prefix}-nosuch`, 'rm', 'all'], 13, /does not exist/],
      [['start', '1,,2'], 12, /Malformed set '1,,2' at column 3: Empty item/],
      [['start', '0'], 12, /Machine numbers start at 1/],
      [['rm', '7-9'], 12, /names no existing machine \(existing machines: 1-3\)/],
      [['-t', 'a/b', 'list'], 12, /Invalid template name 'a\/b'/],
      [['-t', `it's`, 'list'], 12, /Invalid template name/],
      [['-t', 'say"hi"', 'clone'], 12, /Invalid template name/],
      [['clone', '0'], 12, /clone takes a number of clones from 1/],
      [['clone', '1001'], 12, /from 1 to 1000; got '1001'\. At most 1000 clones at once/],
      [['suspend', 'off'], 12, /names no machine suspend can act upon/],
    ];
    for (const [args, code, msg] of cases) {
      const r = q(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg, args.join(' '));
      assert.match(r.stderr, /^qq2clone: /);
    }
    assert.deepEqual(listXml().map((c) => c.id), ['1', '2', '3'], 'bad input changed nothing');
  });

  it('when libvirt cannot be used, the error says what to do: missing virsh is exit 11, no daemon exit 16', () => {
    const noVirsh = spawnSync(process.execPath, [cliJs, 'list'], {
      encoding: 'utf8',
      env: { QQ2CLONE_HOME: home, PATH: path.join(home, 'no-programs-here') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(noVirsh.status, 11, noVirsh.stderr);
    assert.equal(
      noVirsh.stderr,
      'qq2clone: virsh is not installed.\nqq2clone: Install libvirt-clients (it provides virsh) and make sure it is on PATH.\n',
    );
    const down = q('-c', NO_DAEMON_URI, 'start', '1');
    assert.equal(down.code, 16, down.stderr);
    assert.match(down.stderr, /^qq2clone: Cannot connect to libvirt at .*nonexistent.*\nqq2clone: Start the libvirt daemon \(e\.g\. `sudo systemctl start libvirtd`/);
    assert.equal(q('-Q', '-c', NO_DAEMON_URI, 'start', '1').stderr, '', '-Q silences the hint with the error');
  });

  it('check on a terminal asks before each fix; with -q it asks nothing and applies nothing (the safe default)', async () => {
    const stray = path.join(home, 'qq2clone-pool', 'stray.bin');
    fs.mkdirSync(path.dirname(stray), { recursive: true });
    fs.writeFileSync(stray, 'left over');
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(stray, hourAgo, hourAgo); // a left-over is old: newer files may belong to a clone being made
    const inProcess = async (...argv: string[]) => {
      const r = { code: -1, stdout: '', asked: [] as string[] };
      r.code = await runCli(argv, {
        io: {
          stdout: (t) => (r.stdout += t),
          stderr: () => undefined,
          env: { ...process.env, QQ2CLONE_HOME: home },
          stdinIsTTY: true,
          ask: async (question) => {
            r.asked.push(question);
            return 'n';
          },
        },
        makeService: (config) => createLibvirtService({ ...config, uri: TEST_URI }),
      });
      return r;
    };
    try {
      const asked = await inProcess('check');
      assert.equal(asked.code, 0);
      assert.ok(asked.asked.some((a) => a.includes(`Delete ${stray}.`)), `asked: ${asked.asked.join(' | ')}`);
      const quiet = await inProcess('-q', 'check');
      assert.equal(quiet.code, 0);
      assert.deepEqual(quiet.asked, []);
      assert.match(quiet.stdout, new RegExp(`${stray}.*no domain uses it`));
      assert.match(quiet.stdout, /fix\(es\) available: run qq2clone check --fix to apply them/);
      assert.equal(fs.readFileSync(stray, 'utf8'), 'left over', 'nothing was fixed');
    } finally {
      fs.rmSync(stray, { force: true });
    }
  });

  it('-Q keeps list output and silences other commands, errors included', () => {
    const r = q('-Q', 'start', '99');
    assert.deepEqual([r.code, r.stdout, r.stderr], [12, '', '']);
    assert.equal(ok('-Q', 'list'), ok('list'));
  });

  it('rm removes the domain and its overlay, never the template disk', () => {
    const before = listXml();
    const c2 = before[1]!;
    const overlay = virsh('domblklist', c2.name, '--details').split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[1] === 'disk')![3]!;
    assert.ok(fs.existsSync(overlay));
    ok('rm', '2');
    assert.equal(domainExists(c2.uuid), false);
    assert.equal(fs.existsSync(overlay), false);
    assert.deepEqual(listXml().map((c) => c.id), ['1', '3']);
    ok('rm', 'all');
    assert.deepEqual(listXml(), []);
    assert.equal(bed.domains().length, 0);
    assert.ok(fs.existsSync(tpl.disk), 'the template disk is still there');
    assert.match(ok('list'), /has no clones/);
  });
  it('clone leaves reading the template and the clones to the service: the CLI reads no inventory of its own', async () => {
    let inventories = 0;
    let stderr = '';
    const code = await runCli(['-n', 'clone', '2'], {
      io: { stdout: () => undefined, stderr: (t) => (stderr += t), env: { ...process.env, QQ2CLONE_HOME: home }, stdinIsTTY: false },
      makeService: (config) => {
        const svc = createLibvirtService({ ...config, uri: TEST_URI });
        const inventory = svc.inventory.bind(svc);
        svc.inventory = (signal) => {
          inventories++;
          return inventory(signal);
        };
        return svc;
      },
    });
    assert.equal(code, 0, stderr);
    assert.equal(inventories, 0, 'the CLI read the whole inventory before cloning');
    assert.equal(listXml().length, 2);
    const missing = q('-t', `${bed.prefix}-nosuch`, 'clone');
    assert.equal(missing.code, 13);
    assert.match(missing.stderr, /Template '.*-nosuch' does not exist \(known templates: .*tpl/);
    ok('rm', 'all');
  });

  /** Starts the CLI, sends SIGINT once `ready()` holds, and resolves with how it ended. */
  const interrupted = (ready: () => boolean, ...args: string[]): Promise<Run & { signalled: boolean }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cliJs, ...args], {
        env: { ...process.env, QQ2CLONE_HOME: home, LIBVIRT_DEFAULT_URI: process.env.QQ2CLONE_TEST_URI ?? 'qemu:///system' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let signalled = false;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const poll = setInterval(() => {
        if (!signalled && ready()) {
          signalled = true;
          child.kill('SIGINT');
        }
      }, 20);
      child.on('error', reject);
      child.on('close', (code) => {
        clearInterval(poll);
        resolve({ code, stdout, stderr, signalled });
      });
    });

  it('Ctrl-C (SIGINT) during exec stops the running command and exits 130', async () => {
    ok('clone', '1');
    const marks = path.join(home, 'exec-marks');
    fs.mkdirSync(marks);
    const r = await interrupted(() => fs.readdirSync(marks).length > 0, 'exec', 'all', `echo $$ > "${marks}/pid"; sleep 60`);
    assert.ok(r.signalled, 'the command was running when SIGINT came');
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /^qq2clone: Cancelled/m);
    const pid = Number(fs.readFileSync(path.join(marks, 'pid'), 'utf8'));
    assert.throws(() => process.kill(pid, 0), 'the command run by exec was killed too');
    ok('rm', 'all');
  });

  it('Ctrl-C (SIGINT) in the middle of clone --run exits 130 and leaves whole clones only', async () => {
    const storage = path.join(home, 'qq2clone-pool');
    const mine = () => bed.domains().filter((d) => d.startsWith(`${tpl.name}-`));
    const r = await interrupted(() => mine().length > 0, '-r', '-f', 'clone', '12');
    assert.ok(r.signalled, 'clones were being made when SIGINT came');
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /^qq2clone: Cancelled after \d+ of 12 clones were made/m);
    const domains = mine();
    assert.ok(domains.length < 12, `the batch was interrupted (${domains.length} made)`);
    const overlays = new Set<string>();
    for (const d of domains) {
      const disks = virsh('domblklist', d, '--details').split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[1] === 'disk').map((f) => f[3]!);
      for (const f of disks) {
        assert.ok(fs.existsSync(f), `${d} has its overlay ${f}`);
        overlays.add(f);
      }
    }
    const files = fs.readdirSync(storage).filter((f) => f !== CONNECTIONS_FILE).map((f) => path.join(storage, f)).filter((f) => fs.statSync(f).isFile());
    assert.deepEqual(files.filter((f) => !overlays.has(f)), [], 'no overlay without its domain, no prototype left');
    q('-Q', 'rm', 'all');
  });
});
