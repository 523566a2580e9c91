/**
 * qq2clone connect and edit end to end on the real daemon: the bundled CLI runs as its own process with
 * QQ2CLONE_HOME (and TMPDIR) inside the test bed. The viewers are stub programs first on PATH that record their
 * arguments; the editor is a small script named by EDITOR.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { TestBed, TEST_URI, virsh } from '../testbed';
import { graphicsOf } from '../../src/libvirt/display/display';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const SPICE = `    <graphics type='spice' autoport='yes' listen='127.0.0.1'/>\n    <video><model type='qxl'/></video>\n`;
/** SPICE graphics without any listen address: `virsh domdisplay` never gives one. */
const SPICE_NO_LISTEN = `    <graphics type='spice'><listen type='none'/></graphics>\n    <video><model type='qxl'/></video>\n`;

describe('qq2clone connect and edit against libvirt', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let home: string;
  let cliJs: string;
  let stubBin: string;
  let bareBin: string;
  let viewerLog: string;
  let tpl: { name: string; xmlPath: string; disk: string };
  let plain: { name: string; xmlPath: string; disk: string };
  let nolisten: { name: string; xmlPath: string; disk: string };

  const q = (env: NodeJS.ProcessEnv, ...args: string[]): Run => {
    const r = spawnSync(process.execPath, [cliJs, ...args], {
      encoding: 'utf8',
      env: { ...process.env, QQ2CLONE_HOME: home, TMPDIR: home, LIBVIRT_DEFAULT_URI: TEST_URI, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const withStubs = { PATH: '' };
  const ok = (env: NodeJS.ProcessEnv, ...args: string[]): string => {
    const r = q(env, ...args);
    assert.equal(r.code, 0, `qq2clone ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  /** The name of clone `id` of `template`, from `list xml`. */
  const nameOf = (id: number, template = tpl.name): string => {
    const section = ok({}, 'list', 'xml').split('<template ').find((t) => t.startsWith(`name="${template}"`)) ?? '';
    const m = new RegExp(`<clone id="${id}" name="([^"]+)"`).exec(section);
    assert.ok(m, `clone ${id} of ${template} is not listed: ${section}`);
    return m[1]!;
  };
  const state = (name: string): string => virsh('domstate', name).trim();
  const script = (file: string, body: string): string => {
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  };
  const viewerCalls = (): string[] => (fs.existsSync(viewerLog) ? fs.readFileSync(viewerLog, 'utf8').split('\n').filter(Boolean) : []);

  before(async () => {
    bed = new TestBed('cliconn');
    home = bed.root;
    tpl = bed.makeTemplateFile(path.join(home, 'templates'), 'tpl', SPICE);
    plain = bed.makeTemplateFile(path.join(home, 'templates'), 'plain');
    nolisten = bed.makeTemplateFile(path.join(home, 'templates'), 'nolisten', SPICE_NO_LISTEN);
    cliJs = path.join(home, 'cli.js');
    await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cliJs, logLevel: 'silent' });
    // Validation loads xmllint-wasm's files from next to the bundle, as dist/ has them.
    const xmllint = path.dirname(require.resolve('xmllint-wasm/package.json'));
    for (const f of ['xmllint-node.js', 'xmllint.wasm']) fs.copyFileSync(path.join(xmllint, f), path.join(home, f));
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ TEMPLATE: tpl.name, NORUN: '1' }));
    // Stub viewers: one line per run with their arguments.
    viewerLog = path.join(home, 'viewer.log');
    stubBin = path.join(home, 'stub-bin');
    fs.mkdirSync(stubBin);
    for (const v of ['virt-viewer', 'spicy']) script(path.join(stubBin, v), `echo "${v} $*" >> '${viewerLog}'`);
    withStubs.PATH = `${stubBin}:${process.env.PATH ?? ''}`;
    // A PATH with virsh and the shell but no viewer.
    bareBin = path.join(home, 'bare-bin');
    fs.mkdirSync(bareBin);
    for (const p of ['virsh', 'qemu-img', 'sh', 'bash']) {
      const found = (process.env.PATH ?? '').split(':').map((d) => path.join(d, p)).find((f) => fs.existsSync(f));
      if (found) fs.symlinkSync(found, path.join(bareBin, p));
    }
    ok({}, 'clone', '2');
    ok({}, '-t', plain.name, 'clone', '1');
    ok({}, '-t', nolisten.name, 'clone', '1');
  });

  after(() => {
    if (cliJs && fs.existsSync(cliJs)) {
      q({}, '-Q', 'rm', 'all');
      q({}, '-Q', '-t', plain.name, 'rm', 'all');
      q({}, '-Q', '-t', nolisten.name, 'rm', 'all');
    }
    bed?.cleanup();
  });

  it('connect starts the stopped clones and opens the viewer with the connection URI on each', () => {
    const names = [nameOf(1), nameOf(2)];
    for (const n of names) assert.equal(state(n), 'shut off');
    ok(withStubs, 'connect', 'all');
    for (const n of names) assert.equal(state(n), 'running');
    const expected = names.map((n) => `virt-viewer --connect ${TEST_URI} --uuid ${virsh('domuuid', n).trim()}`).sort();
    assert.deepEqual(viewerCalls().sort(), expected);
  });

  it('-S opens spicy on the address of the display', () => {
    fs.rmSync(viewerLog, { force: true });
    ok(withStubs, '-S', 'connect', '1');
    const port = graphicsOf(virsh('dumpxml', nameOf(1)))[0]!.port!;
    assert.deepEqual(viewerCalls(), [`spicy --host 127.0.0.1 --port ${port}`]);
  });

  it('clone --run --virt-viewer opens the viewer on the new clone (the manual\'s first example); -f or no --run opens none', () => {
    fs.rmSync(viewerLog, { force: true });
    ok(withStubs, '--template', tpl.name, '--run', '--virt-viewer', '-g', 'clone');
    const made = nameOf(3);
    assert.equal(state(made), 'running');
    assert.deepEqual(viewerCalls(), [`virt-viewer --connect ${TEST_URI} --uuid ${virsh('domuuid', made).trim()}`]);
    fs.rmSync(viewerLog, { force: true });
    ok(withStubs, '-r', '-f', 'clone');
    ok(withStubs, '-n', '-g', 'clone');
    assert.equal(state(nameOf(4)), 'running');
    assert.equal(state(nameOf(5)), 'shut off');
    assert.deepEqual(viewerCalls(), [], 'no viewer with -f, none for clones not run');
    ok({}, 'rm', '3-5');
  });

  it('a clone without SPICE graphics is started and said to have none; exit 0', () => {
    fs.rmSync(viewerLog, { force: true });
    const name = nameOf(1, plain.name);
    const out = ok(withStubs, '-t', plain.name, 'connect', '1');
    assert.equal(state(name), 'running');
    assert.match(out, /has no SPICE graphics/);
    assert.deepEqual(viewerCalls(), []);
  });

  it('with -g and no viewer on PATH: starts the clone, then exit 11 saying what to install', () => {
    const name = nameOf(2);
    virsh('destroy', name);
    const r = q({ PATH: bareBin }, '-g', 'connect', '2');
    assert.equal(r.code, 11, r.stderr);
    assert.match(r.stderr, /Neither virt-viewer nor spicy is installed.*install virt-viewer/);
    assert.equal(state(name), 'running');
  });

  it('a SPICE display with no address within S_TIMEOUT: starts the clone, then exit 17 with the S_TIMEOUT hint', () => {
    fs.rmSync(viewerLog, { force: true });
    const config = path.join(home, 'config.json');
    const saved = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, JSON.stringify({ ...JSON.parse(saved), S_TIMEOUT: '1' }));
    try {
      const name = nameOf(1, nolisten.name);
      assert.equal(state(name), 'shut off');
      const r = q(withStubs, '-t', nolisten.name, '-g', 'connect', '1');
      assert.equal(r.code, 17, r.stderr);
      assert.match(r.stdout, new RegExp(`Started 1 \\(${name}\\)`));
      assert.match(r.stderr, new RegExp(`The SPICE display of 1 \\(${name}\\) had no address within 1 s: check that it runs, or raise S_TIMEOUT \\(qq2clone config edit S_TIMEOUT\\)`));
      assert.equal(state(name), 'running');
      assert.deepEqual(viewerCalls(), []);
    } finally {
      fs.writeFileSync(config, saved);
    }
  });

  it('without a terminal and without EDITOR or VISUAL, edit refuses with exit 12', () => {
    const r = q({ EDITOR: '', VISUAL: '' }, 'edit', '1');
    assert.equal(r.code, 12, r.stderr);
    assert.match(r.stderr, /set EDITOR/);
  });

  it('edit with an editor that changes nothing says so and leaves no file behind', () => {
    const before = virsh('dumpxml', '--inactive', nameOf(1));
    const out = ok({ EDITOR: 'true', VISUAL: '' }, 'edit', '1');
    assert.match(out, /No change/);
    assert.equal(virsh('dumpxml', '--inactive', nameOf(1)), before);
    assert.deepEqual(fs.readdirSync(home).filter((f) => f.startsWith('qq2clone-edit-')), []);
  });

  it('edit with EDITOR set to a script defines the changed memory', () => {
    const name = nameOf(2);
    virsh('destroy', name);
    assert.match(virsh('dumpxml', '--inactive', name), /<memory unit='KiB'>32768<\/memory>/);
    const editor = script(path.join(home, 'more-memory'), `sed -i "s|<memory unit='KiB'>32768</memory>|<memory unit='KiB'>49152</memory>|" "$1"`);
    ok({ EDITOR: editor, VISUAL: '' }, 'edit', '2');
    assert.match(virsh('dumpxml', '--inactive', name), /<memory unit='KiB'>49152<\/memory>/);
  });

  it('edit with a script that breaks the XML exits 15, prints FILE:LINE, keeps the file, defines nothing', () => {
    const name = nameOf(2);
    const before = virsh('dumpxml', '--inactive', name);
    const editor = script(path.join(home, 'break'), `sed -i "s|<vcpu|<bogus/>\\n  <vcpu|" "$1"`);
    const r = q({ EDITOR: editor, VISUAL: '' }, 'edit', '2');
    assert.equal(r.code, 15, r.stderr);
    const m = /^(\/\S+\.xml):(\d+): /m.exec(r.stderr);
    assert.ok(m, `no FILE:LINE: problem in ${r.stderr}`);
    const kept = fs.readFileSync(m[1]!, 'utf8');
    assert.match(kept.split('\n')[Number(m[2]) - 1]!, /bogus/);
    assert.match(r.stderr, new RegExp(`edits are in ${m[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(virsh('dumpxml', '--inactive', name), before);
  });

  /** The file `edits are in FILE` names in `stderr`, after checking it holds `what`. */
  const keptEdits = (stderr: string, what: RegExp): string => {
    const m = /edits are in (\/\S+\.xml)/.exec(stderr);
    assert.ok(m, `no "edits are in FILE" in: ${stderr}`);
    assert.match(fs.readFileSync(m[1]!, 'utf8'), what);
    return m[1]!;
  };

  it('edit with an editor that writes a change and exits 1 keeps the edited text, says where, defines nothing', () => {
    const name = nameOf(2);
    const before = virsh('dumpxml', '--inactive', name);
    const editor = script(path.join(home, 'change-then-fail'), `sed -i "s|<memory unit='KiB'>[0-9]*</memory>|<memory unit='KiB'>40960</memory>|" "$1"\nexit 1`);
    const r = q({ EDITOR: editor, VISUAL: '' }, 'edit', '2');
    assert.equal(r.code, 14, r.stderr);
    assert.match(r.stderr, /exited with status 1/);
    keptEdits(r.stderr, /<memory unit='KiB'>40960<\/memory>/);
    assert.equal(virsh('dumpxml', '--inactive', name), before);
  });

  it('edit interrupted (Ctrl-C) while the editor runs keeps the edited text and says where', () => {
    const name = nameOf(2);
    const before = virsh('dumpxml', '--inactive', name);
    // The editor writes its change, then the CLI (its shell's parent) gets SIGINT as from Ctrl-C; the editor runs
    // on until the CLI has stopped the shell it runs in.
    const editor = script(
      path.join(home, 'change-then-interrupt'),
      `sed -i "s|<memory unit='KiB'>[0-9]*</memory>|<memory unit='KiB'>45056</memory>|" "$1"\nkill -INT $(ps -o ppid= -p $PPID)\nwhile kill -0 $PPID 2>/dev/null; do sleep 0.1; done`,
    );
    const r = q({ EDITOR: editor, VISUAL: '' }, 'edit', '2');
    assert.equal(r.code, 130, r.stderr);
    keptEdits(r.stderr, /<memory unit='KiB'>45056<\/memory>/);
    assert.equal(virsh('dumpxml', '--inactive', name), before);
  });

  it('modify-template edit with an editor that writes a change and exits 1 keeps the edited text and says where', () => {
    const before = fs.readFileSync(plain.xmlPath, 'utf8');
    const editor = script(path.join(home, 'tpl-change-then-fail'), `sed -i "s|<vcpu>1</vcpu>|<vcpu>2</vcpu>|" "$1"\nexit 1`);
    const r = q({ EDITOR: editor, VISUAL: '' }, 'modify-template', plain.name, 'edit');
    assert.equal(r.code, 14, r.stderr);
    keptEdits(r.stderr, /<vcpu>2<\/vcpu>/);
    assert.equal(fs.readFileSync(plain.xmlPath, 'utf8'), before);
  });

  it('edit follows a rename and puts back the bookkeeping the edit dropped, as the extension does (one rule in the service)', () => {
    const name = nameOf(2);
    const renamed = `${name}-renamed`;
    const uuid = virsh('domuuid', name).trim();
    const editor = script(
      path.join(home, 'rename-and-drop-meta'),
      `sed -i -e "s|<name>${name}</name>|<name>${renamed}</name>|" -e "/<metadata>/,/<\\/metadata>/d" "$1"`,
    );
    const out = ok({ EDITOR: editor, VISUAL: '' }, 'edit', '2');
    assert.match(out, new RegExp(`renamed from ${name} to ${renamed}`));
    assert.match(out, /metadata> element the edit dropped was put back/);
    assert.equal(virsh('domuuid', renamed).trim(), uuid);
    assert.match(virsh('dumpxml', '--inactive', renamed), /qq2clone\.invalid\/xmlns\/clone\/1/);
    assert.match(ok({}, 'list'), new RegExp(`^2\\s+${renamed}\\b`, 'm'));
  });
});

