/**
 * The CLI as it is built (esbuild.js: a bin that starts ES modules split per command group, the command list fixed at
 * build time) answers as the source does: the same -h, and the same answer from a command of every group (each
 * one's chunk loads and finds its command). No libvirt: every command here stops at its arguments.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { runCli } from '../../src/cli/run';
import { CLI_COMMAND_LIST } from '../../src/cli/commands';
import { CLI_GROUPS, commandsOf, type CliGroupName } from '../../src/cli/commands/groups';
import { computeCliManifest } from '../../src/cli/commands/manifest';
import type { CliCommand } from '../../src/cli/commands/shared/types';

const { cliTargets } = createRequire(__filename)('../../esbuild.js') as { cliTargets: (dir: string, base: BuildOptions) => BuildOptions[] };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ENV = { PATH: '/nonexistent', QQ2CLONE_HOME: '/nonexistent/q2c-home', LIBVIRT_DEFAULT_URI: 'qemu+unix:///system?socket=/nonexistent/sock' };

/** One command per group, each refused for its arguments before it would need libvirt. */
const PER_GROUP: Record<CliGroupName, string[]> = {
  clones: ['clone', 'abc'],
  templates: ['import-template'],
  settings: ['config', 'bogus'],
  policy: ['policy'],
  disks: ['ls'],
  snapshots: ['snapshot'],
  guests: ['shutdown'],
};

async function inProcess(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    io: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: ENV, stdinIsTTY: false },
    makeService: () => {
      throw new Error('this command must not need libvirt');
    },
  });
  return { code, stdout, stderr };
}

describe('the built CLI', function () {
  this.timeout(120_000);
  let dir: string;
  const built = (argv: string[]): Run => {
    const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), ...argv], { encoding: 'utf8', env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-cli-build-'));
    await Promise.all(cliTargets(dir, { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'silent', plugins: [] }).map((t) => build(t)));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the same -h as the source, every command in the listed order', async () => {
    const h = built(['-h']);
    assert.equal(h.code, 0, h.stderr);
    assert.equal(h.stdout, (await inProcess(['-h'])).stdout);
    const listed = [...h.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]);
    assert.deepEqual(listed, CLI_COMMAND_LIST.map((c) => c.name));
  });

  it('loads a command of every group and answers as the source does', async () => {
    assert.deepEqual(Object.keys(PER_GROUP).sort(), Object.keys(CLI_GROUPS).sort());
    for (const argv of Object.values(PER_GROUP)) {
      const r = built(argv);
      assert.equal(r.code, 12, `${argv.join(' ')}: ${r.stderr}`);
      assert.deepEqual(r, await inProcess(argv), argv.join(' '));
    }
    const unknown = built(['bogus']);
    assert.equal(unknown.code, 12);
    assert.deepEqual(unknown, await inProcess(['bogus']));
  });

  it('loads for -h no command and no service, for a command its own group and the service, for list no more', () => {
    /** The source files of the modules a run loads: NODE_DEBUG=esm names each module, its source map its sources. */
    const loaded = (argv: string[]): string[] => {
      const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), ...argv], { encoding: 'utf8', env: { ...ENV, NODE_DEBUG: 'esm' } });
      const files = [...new Set([...r.stderr.matchAll(/file:\/\/(\S*\/cli\/[\w-]+\.mjs)/g)].map((m) => m[1]!))];
      assert.ok(files.some((f) => f.endsWith('/main.mjs')), `NODE_DEBUG=esm did not name main.mjs: ${r.stderr.slice(0, 500)}`);
      const sources = files.flatMap((f) => (JSON.parse(fs.readFileSync(`${f}.map`, 'utf8')) as { sources: string[] }).sources);
      return [...new Set(sources.map((x) => path.relative(process.cwd(), path.resolve(path.dirname(files[0]!), x))))];
    };
    const under = (files: readonly string[], ...dirs: string[]): string[] => files.filter((f) => dirs.some((d) => f.startsWith(d)));
    const groups = Object.keys(CLI_GROUPS).map((g) => `src/cli/commands/${g}/`);

    const help = loaded(['-h']);
    assert.deepEqual(under(help, ...groups, 'src/libvirt/validation/', 'node_modules/'), []);
    assert.deepEqual(under(help, 'src/libvirt/'), ['src/libvirt/process/slowCalls.ts']);

    const rm = loaded(['rm']);
    assert.deepEqual([...new Set(under(rm, ...groups).map((f) => f.split('/')[3]))], ['clones']);
    assert.ok(rm.includes('src/libvirt/service.ts'));

    // list (stopped here at virsh, which is not on PATH) loads none of the code other commands import where they use it.
    const list = loaded(['-t', 'x', 'list']);
    const elsewhere = ['disks', 'guests', 'identity', 'display', 'snapshots'].map((d) => `src/libvirt/${d}/`);
    assert.deepEqual(under(list, ...elsewhere, 'src/libvirt/validation/', 'node_modules/execa/'), []);
    assert.ok(list.includes('src/cli/commands/clones/list.ts') && list.includes('src/libvirt/clones/inventory.ts'));
  });
  it('starts the sessions a command declares before its code loads (rm: two, list: one), none for -h', () => {
    // A virsh that notes each start and exits: every command below stops at its arguments, before any session of its
    // own, so each start noted is one the bin made.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-virsh-starts-'));
    try {
      const log = path.join(bin, 'starts');
      fs.writeFileSync(path.join(bin, 'virsh'), `#!/bin/sh\necho "$*" >> '${log}'\n`, { mode: 0o755 });
      const starts = (argv: string[]): string[] => {
        fs.rmSync(log, { force: true });
        const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), ...argv], { encoding: 'utf8', env: { ...ENV, PATH: `${bin}:/usr/bin:/bin` } });
        assert.equal(r.status, argv.includes('-h') ? 0 : 12, `${argv.join(' ')}: ${r.stderr}`);
        return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
      };
      assert.deepEqual(starts(['-h']), []);
      assert.deepEqual(starts(['-h', 'rm']), [], 'help asked: no sessions');
      assert.deepEqual(starts(['rm']), Array(2).fill(`-q -c ${ENV.LIBVIRT_DEFAULT_URI}`));
      assert.deepEqual(starts(['-c', 'test:///default', '-t', 'x', 'list', 'a', 'b']), ['-q -c test:///default']);
      assert.deepEqual(starts(['config', 'bogus']), [], 'a command that declares none');
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('CLI command groups', () => {
  const cmd = (name: string): CliCommand => ({ name, usage: '', summary: `${name} it`, run: async () => undefined });

  it('are each CliCommand a group module exports, alone or in a list, and nothing else', () => {
    const a = cmd('a');
    const b = cmd('b');
    const c = cmd('c');
    assert.deepEqual(commandsOf({ a, MAX: 5, helper: () => 1, list: [b, 'x', c], other: { name: 'n' } }), [a, b, c]);
  });

  it('give every listed command exactly one group', async () => {
    const manifest = await computeCliManifest();
    assert.deepEqual(manifest.map((e) => e.name), CLI_COMMAND_LIST.map((c) => c.name));
    for (const e of manifest) {
      const mine = commandsOf(await CLI_GROUPS[e.group]()).filter((c) => c.name === e.name);
      assert.equal(mine.length, 1, e.name);
    }
  });
});
