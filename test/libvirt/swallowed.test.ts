/**
 * Failures that used to be swallowed, against the real daemon. Where a failure cannot be provoked from outside,
 * the service runs a real virsh command that really fails in place of the one under test (an unknown option, a
 * malformed XPath): the failure is libvirt's own, only its place is chosen.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/run';
import { ExitCode, FileTypeError, LibvirtError, type Qq2Error } from '../../src/core/errors';
import type { CloneRef } from '../../src/libvirt/api';
import { Libvirt } from '../../src/libvirt';
import { renamedCloneName, renameTemplate } from '../../src/libvirt/templates/templateOps';
import { CloneGenerationCache } from '../../src/extension/tree/generations';
import { TestBed, TEST_URI, tryVirsh } from '../testbed';

/** A service where the commands `fail` picks are replaced by a real virsh command that fails. */
class Faulty extends Libvirt {
  fail: (args: readonly string[]) => readonly string[] | undefined = () => undefined;
  override virsh(args: readonly string[], signal?: AbortSignal): Promise<string> {
    return super.virsh(this.fail(args) ?? args, signal);
  }
  override virshBatch(commands: readonly (readonly string[])[], signal?: AbortSignal, spread?: number): Promise<PromiseSettledResult<string>[]> {
    return super.virshBatch(commands.map((c) => this.fail(c) ?? c), signal, spread);
  }
}

describe('failures are reported, not swallowed', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let svc: Faulty;

  before(() => {
    bed = new TestBed('swl');
    svc = new Faulty({ uri: TEST_URI, home: bed.root });
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });
  afterEach(() => {
    svc.fail = () => undefined;
  });

  it('a half-made clone that cannot be undone is reported, and its overlay is kept with its domain', async () => {
    const tpl = bed.makeTemplateFile(svc.config.templateDir, 'undo');
    // The start fails for real (QEMU may not reach the image); then undefining the clone fails too.
    fs.chmodSync(path.dirname(tpl.disk), 0o700);
    svc.fail = (a) => (a[0] === 'undefine' ? ['undefine', '--no-such-option', ...a.slice(1)] : undefined);
    try {
      const r = await svc.cloneBatch(tpl.name, 1, { run: true });
      assert.equal(r.failed.length, 1, JSON.stringify(r));
      const f = r.failed[0]!;
      assert.match(f.error.message, /Undoing it failed too .*still defined and its overlay\(s\) .* were kept/);
      assert.ok(f.leftBehind);
      const dom = tryVirsh('domuuid', f.name)?.trim();
      assert.ok(dom, 'the domain is still defined');
      const overlay = /overlay\(s\) (\S+) were kept/.exec(f.error.message)![1]!;
      assert.ok(fs.existsSync(overlay), 'its overlay was kept with it');
      svc.fail = () => undefined;
      await assert.rejects(
        async () => {
          svc.fail = (a) => (a[0] === 'undefine' ? ['undefine', '--no-such-option', ...a.slice(1)] : undefined);
          await svc.clone(tpl.name, 1, { run: true });
        },
        (e: Qq2Error) => /failed and 1 of them left something behind/.test(e.message),
      );
    } finally {
      fs.chmodSync(path.dirname(tpl.disk), 0o755);
    }
  });

  it('a domain whose bookkeeping cannot be read does not vanish: the listing fails naming it, rm does not call it gone', async () => {
    const tpl = bed.makeTemplateFile(svc.config.templateDir, 'meta');
    const [c] = await svc.clone(tpl.name, 1);
    const ref: CloneRef = { template: c!.template, id: c!.id, uuid: c!.uuid, name: c!.name };
    svc.fail = (a) => (a[0] === 'dumpxml' && a.includes('/domain/metadata') && a.includes(c!.uuid) ? [...a.slice(0, -1), '--no-such-option', c!.uuid] : undefined);
    await assert.rejects(svc.inventory(), (e: Qq2Error) => e instanceof LibvirtError && e.message.includes(c!.uuid) && /bookkeeping/.test(e.message));
    const rm = await svc.run('rm', [ref]).then(
      (r) => `done ${r.done.length}, skipped ${r.skipped.map((s) => s.reason).join()}, failed ${r.failed.map((f) => f.error.message).join()}`,
      (e: Qq2Error) => `rejected: ${e.message}`,
    );
    assert.doesNotMatch(rm, /no longer exists/);
    assert.match(rm, new RegExp(`(rejected|failed).*${c!.uuid}`));
    assert.ok(tryVirsh('domuuid', c!.name), 'the clone is still there');
    svc.fail = () => undefined;
    assert.ok((await svc.inventory()).clones.some((x) => x.uuid === c!.uuid), 'listed again once it can be read');
  });

  it('a template directory that cannot be read is an error (tree, CLI exit code), not "no templates yet"', async () => {
    const home = path.join(bed.root, 'home-notdir');
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(path.join(home, 'templates'), 'not a directory');
    const other = new Libvirt({ uri: TEST_URI, home });
    try {
      await assert.rejects(other.inventory(), (e: Qq2Error) => e instanceof FileTypeError && e.message.includes(path.join(home, 'templates')));
    } finally {
      other.dispose();
    }
    const err = { text: '' };
    const code = await runCli(['list-templates'], {
      io: { stdout: () => undefined, stderr: (t) => (err.text += t), env: { ...process.env, QQ2CLONE_HOME: home }, stdinIsTTY: false, ask: async () => 'n' },
      makeService: (config) => new Libvirt({ ...config, uri: TEST_URI }),
    });
    assert.equal(code, ExitCode.FileType, err.text);
    assert.match(err.text, /template directory .* cannot be read: it is not a directory/);
  });

  it('a failed generation read is reported and read again later, not cached as "none" for good; list xml exits non-zero', async () => {
    const tpl = bed.makeTemplateFile(svc.config.templateDir, 'gen');
    const [c] = await svc.clone(tpl.name, 1);
    const [overlay] = await svc.cloneDisks(c!.uuid);
    const inv = await svc.inventory();
    const t = inv.templates.find((x) => x.name === tpl.name)!;
    const parent = { kind: 'template' as const, key: `template:${t.name}`, template: t, clones: [] };
    const node = { kind: 'clone' as const, key: c!.uuid, clone: c!, parent };
    const failures: string[] = [];
    let now = 1_000_000;
    const cache = new CloneGenerationCache(() => svc, () => undefined, (uuid, e) => failures.push(`${uuid}: ${e.message}`), () => now);
    fs.renameSync(overlay!, `${overlay}.aside`);
    try {
      assert.equal(await cache.read(node), null);
      assert.equal(failures.length, 1);
      assert.match(failures[0]!, new RegExp(`${c!.uuid}: .*ENOENT`));
      const err = { text: '' };
      const code = await runCli(['list', 'xml'], {
        io: { stdout: () => undefined, stderr: (x) => (err.text += x), env: { ...process.env, QQ2CLONE_HOME: bed.root }, stdinIsTTY: false, ask: async () => 'n' },
        makeService: (config) => new Libvirt({ ...config, uri: TEST_URI }),
      });
      assert.notEqual(code, 0, 'list xml says that a generation could not be read');
      assert.ok(err.text.includes(`Could not read the image generation of ${c!.name}`), err.text);
    } finally {
      fs.renameSync(`${overlay}.aside`, overlay!);
    }
    now += 31_000;
    assert.equal(await cache.read(node), 1, 'read again once the file is back');
  });

  it('a template rename whose undo fails says which clones it left where, and keeps both template files', async () => {
    const tpl = bed.makeTemplateFile(svc.config.templateDir, 'ren');
    const [c1, c2] = await svc.clone(tpl.name, 2);
    const to = `${bed.prefix}-renamed`;
    const new1 = renamedCloneName(c1!.name, tpl.name, to);
    const new2 = renamedCloneName(c2!.name, tpl.name, to);
    // Renaming clone 2 fails; then renaming clone 1 back fails too.
    svc.fail = (a) =>
      a[0] === 'domrename' && ((a.includes(c2!.uuid) && a.includes(new2)) || (a.includes(c1!.uuid) && a.includes(c1!.name)))
        ? ['domrename', '--no-such-option', ...a.slice(1)]
        : undefined;
    await assert.rejects(renameTemplate({ svc, validate: async () => [] }, tpl.name, to), (e: Qq2Error) => {
      assert.match(e.message, new RegExp(`Undoing the rename failed in part: clone 1 is still called ${new1} \\(renaming it back failed: `));
      return true;
    });
    assert.equal(tryVirsh('domname', c1!.uuid)?.trim(), new1, 'what the message says is true');
    assert.ok(fs.existsSync(path.join(svc.config.templateDir, `${to}.xml`)), 'the new template file is kept for the clone still named after it');
    assert.ok(fs.existsSync(tpl.xmlPath));
  });
});
