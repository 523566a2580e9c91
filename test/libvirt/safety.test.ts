/**
 * Nothing lost, nothing raced, against the real daemon: secrets survive an edit, rm decides from the state a clone
 * has under its lock, a crashed (still active) staging clone is destroyed before it is undefined, new MACs avoid
 * every MAC on the connection, rm-wipe and rm-shred overwrite the saved guest memory, and two CLI processes cloning
 * one template at once take distinct numbers.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { CloneInfo, LibvirtService } from '../../src/libvirt/api';
import { makeClones, type CloneDeps } from '../../src/libvirt/clones/makeClones';
import { createLibvirtService } from '../../src/libvirt';
import type { Libvirt } from '../../src/libvirt/service';
import { connectionMacs } from '../../src/libvirt/clones/macs';
import { managedSaveDir } from '../../src/libvirt/storage/managedSave';
import { discardImage, findStaging, prepareImage } from '../../src/libvirt/clones/staging';
import { importTemplate } from '../../src/libvirt/templates/templateOps';
import { TestBed, TEST_URI, qemuImg, tinyDomainXml, tryVirsh, virsh, domainExists, pollUntil } from '../testbed';
import { depsFor, serviceFor } from './templateHelpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const GRAPHICS = "    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1' passwd='s3cretpw'/>\n";

describe('data and safety (real libvirt)', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let svc: LibvirtService & Libvirt;
  let tpl: { name: string; xmlPath: string; disk: string };

  before(() => {
    bed = new TestBed('safe');
    svc = serviceFor(bed) as LibvirtService & Libvirt;
    tpl = bed.makeTemplateFile(svc.config.templateDir, 'tpl', GRAPHICS);
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  it('domainXml keeps a graphics password, so a document saved back keeps it', async () => {
    const [c] = await svc.clone(tpl.name, 1);
    const xml = await svc.domainXml(c!.uuid, { inactive: true });
    assert.match(xml, /passwd='s3cretpw'/);
    await svc.defineXml(xml);
    assert.match(virsh('dumpxml', '--inactive', '--security-info', c!.uuid), /passwd='s3cretpw'/);
  });

  it('rm acts on the state a clone has under its lock: one started meanwhile is destroyed, not left transient', async () => {
    const [c] = await svc.clone(tpl.name, 1);
    const overlays = await svc.cloneDisks(c!.uuid);
    let release!: () => void;
    const held = svc.withCloneLock(c!.uuid, () => new Promise<void>((r) => (release = r)));
    await sleep(200);
    const rm = svc.run('rm', [c!]);
    await sleep(1000); // rm is waiting for the lock
    virsh('start', c!.uuid); // started behind its back (another process, virsh)
    release();
    await held;
    const r = await rm;
    assert.equal(r.done.length, 1, JSON.stringify(r));
    assert.equal(domainExists(c!.uuid), false, 'the domain is gone (not a transient domain still running)');
    for (const f of overlays) assert.equal(fs.existsSync(f), false, f);
  });

  it('new clone MACs avoid every MAC on the connection: live and persistent definitions', async () => {
    const other = `${bed.prefix}-other`;
    const file = path.join(bed.root, 'other.xml');
    const disk = bed.makeDisk('other.qcow2');
    fs.writeFileSync(file, tinyDomainXml({ name: other, disk, mac: '52:54:00:0a:0b:0c' }));
    virsh('define', file);
    virsh('start', other);
    // Its next-boot definition gets another MAC: the running one is then only in the live definition.
    const uuid = virsh('domuuid', other).trim();
    fs.writeFileSync(file, tinyDomainXml({ name: other, disk, mac: '52:54:00:0d:0e:0f' }).replace('</name>', `</name>\n  <uuid>${uuid}</uuid>`));
    virsh('define', file);
    const macs = await connectionMacs(svc);
    assert.ok(macs.has('52:54:00:0a:0b:0c'), 'the MAC of the running domain, in its live definition only');
    assert.ok(macs.has('52:54:00:0d:0e:0f'), 'the MAC of its persistent definition');
    // The clone path asks for them: every domain's MACs are read before a clone's MAC is chosen.
    const asked: string[] = [];
    const recording: CloneDeps = {
      config: svc.config,
      metaCache: svc.metaCache,
      virsh: (a, s) => svc.virsh(a, s),
      virshBatch: (cs, s, sp) => {
        for (const c of cs) if (c.join(' ').includes('interface/mac')) asked.push(c.at(-1)!);
        return svc.virshBatch(cs, s, sp);
      },
      tool: (c, a, s) => svc.tool(c, a, s),
      defineXml: (x, s) => svc.defineXml(x, s),
      withTemplateLock: (n, w, s) => svc.withTemplateLock(n, w, s),
    };
    const r = await makeClones(recording, tpl.name, 1);
    assert.equal(r.made.length, 1);
    assert.ok(asked.includes(virsh('domuuid', other).trim()), `asked for: ${asked.join(', ')}`);
    const mine = /mac address='([^']+)'/.exec(virsh('dumpxml', '--inactive', r.made[0]!.uuid))![1]!;
    assert.ok(!macs.has(mine));
    virsh('destroy', other);
  });

  for (const op of ['rm-wipe', 'rm-shred'] as const) {
    it(`${op} overwrites the managed save image (guest memory) before it is removed`, async () => {
      const [c] = await svc.clone(tpl.name, 1, { run: true });
      await sleep(1500);
      virsh('managedsave', c!.uuid);
      const file = path.join(managedSaveDir(TEST_URI)!, `${c!.name}.save`);
      const fd = fs.openSync(file, 'r'); // the bytes stay readable here after the file is unlinked
      try {
        const head = Buffer.alloc(16);
        fs.readSync(fd, head, 0, 16, 0);
        assert.equal(head.toString('latin1'), 'LibvirtQemudSave', 'a managed save image');
        const r = await svc.run(op, [c!]);
        assert.equal(r.done.length, 1, JSON.stringify(r.failed.map((f) => f.error.message)));
        assert.equal(fs.existsSync(file), false, 'removed');
        const size = fs.fstatSync(fd).size;
        const all = Buffer.alloc(size);
        fs.readSync(fd, all, 0, size, 0);
        assert.notEqual(all.subarray(0, 16).toString('latin1'), 'LibvirtQemudSave', 'overwritten');
        if (op === 'rm-wipe') assert.ok(all.every((b) => b === 0), 'all zeros');
      } finally {
        fs.closeSync(fd);
      }
    });
  }
});

/** A boot sector that reports a guest panic on the ISA pvpanic port (0x505) and halts. */
function panicDisk(bed: TestBed, name: string): string {
  const raw = path.join(bed.root, `${name}.raw`);
  const mbr = Buffer.alloc(1 << 20);
  Buffer.from([0xb0, 0x01, 0xba, 0x05, 0x05, 0xee, 0xf4, 0xeb, 0xfd]).copy(mbr, 0); // mov al,1; mov dx,0x505; out; hlt
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  fs.writeFileSync(raw, mbr);
  const disk = path.join(bed.root, 'images', `${name}.qcow2`);
  fs.mkdirSync(path.dirname(disk), { recursive: true });
  qemuImg('convert', '-f', 'raw', '-O', 'qcow2', raw, disk);
  return disk;
}

describe('one definition of active: staging (real libvirt)', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let svc: LibvirtService;
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  it('discard-image destroys a crashed staging clone (still active) before it undefines it', async () => {
    bed = new TestBed('crash');
    svc = serviceFor(bed);
    const name = `${bed.prefix}-t`;
    const disk = panicDisk(bed, 't');
    const xml = tinyDomainXml({ name, disk, devices: "    <panic model='isa'><address type='isa' iobase='0x505'/></panic>\n" })
      .replace('  <devices>', '  <on_crash>preserve</on_crash>\n  <devices>');
    const file = path.join(bed.root, 't.xml');
    fs.writeFileSync(file, xml);
    await importTemplate(depsFor(svc), file);
    const { staging } = await prepareImage(svc, name);
    let s: CloneInfo | undefined;
    await pollUntil('the staging clone to crash', () => /crashed/.test(tryVirsh('domstate', staging.uuid) ?? ''));
    s = await findStaging(svc, name);
    assert.equal(s?.state, 'crashed');
    const removed = await discardImage(svc, name);
    assert.equal(removed.length, 1);
    assert.equal(domainExists(staging.uuid), false, 'gone, not left running as a transient domain');
    s = await findStaging(svc, name);
    assert.equal(s, undefined);
  });
});

describe('two CLI processes at once (real libvirt)', function () {
  this.timeout(300_000);
  let bed: TestBed;
  let cliJs: string;
  const env = () => ({ ...process.env, QQ2CLONE_HOME: bed.root, LIBVIRT_DEFAULT_URI: TEST_URI });
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [cliJs, ...args], { env: { ...env(), ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (code) => resolve({ code, out, err }));
    });

  before(async () => {
    bed = new TestBed('clis');
    cliJs = path.join(bed.root, 'cli.js');
    await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cliJs, logLevel: 'silent' });
    fs.writeFileSync(path.join(bed.root, 'config.json'), JSON.stringify({ NORUN: '1' }));
    // Validation loads xmllint-wasm's files from next to the bundle, as dist/ has them.
    const xmllint = path.dirname(require.resolve('xmllint-wasm/package.json'));
    for (const f of ['xmllint-node.js', 'xmllint.wasm']) fs.copyFileSync(path.join(xmllint, f), path.join(bed.root, f));
  });
  after(() => {
    ext?.dispose();
    bed?.cleanup();
  });
  /** The extension's service on the same home and connection, in this process. */
  let ext: LibvirtService | undefined;
  const service = (): LibvirtService =>
    (ext ??= createLibvirtService({ uri: TEST_URI, home: bed.root, templateDir: path.join(bed.root, 'templates'), storage: path.join(bed.root, 'qq2clone-pool') }));
  /** The clone numbers of template `t` that libvirt has. */
  const numbers = (t: { name: string }) =>
    bed
      .domains()
      .filter((d) => d.startsWith(`${t.name}-`))
      .map((d) => d.slice(t.name.length + 1))
      .filter((x) => /^\d+$/.test(x))
      .map(Number)
      .sort((x, y) => x - y);
  /** Each test makes its own template (and clones), so that none depends on what another left. */
  let made = 0;
  const freshTemplate = () => bed.makeTemplateFile(path.join(bed.root, 'templates'), `tpl${++made}`, GRAPHICS);
  /** Runs the CLI while `hold` holds a lock; checks it has not finished after a while, then releases the lock. */
  const whileHeld = async (
    hold: (work: () => Promise<void>) => Promise<void>,
    args: string[],
    extra: NodeJS.ProcessEnv = {},
    meanwhile: () => void = () => undefined,
  ): Promise<{ code: number | null; out: string; err: string }> => {
    let release!: () => void;
    const held = hold(() => new Promise<void>((r) => (release = r)));
    await sleep(200);
    let finished = false;
    const p = run(args, extra).then((r) => ((finished = true), r));
    await sleep(4000);
    assert.equal(finished, false, `qq2clone ${args.join(' ')} went on while another process held the lock`);
    meanwhile();
    release();
    await held;
    return p;
  };

  it('two `clone 5` started together make 10 clones with 10 distinct numbers, and neither fails', async () => {
    const tpl = freshTemplate();
    const [a, b] = await Promise.all([run(['-t', tpl.name, 'clone', '5']), run(['-t', tpl.name, 'clone', '5'])]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    assert.deepEqual(numbers(tpl), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("the CLI's edit keeps a graphics password the edit did not touch", async () => {
    const tpl = freshTemplate();
    const made1 = await run(['-t', tpl.name, 'clone', '1']);
    assert.equal(made1.code, 0, made1.err);
    const clones = bed.domains().filter((d) => d === `${tpl.name}-1`);
    assert.equal(clones.length, 1);
    assert.match(virsh('dumpxml', '--inactive', '--security-info', clones[0]!), /passwd='s3cretpw'/);
    const r = await run(['-t', tpl.name, 'edit', '1'], { EDITOR: `sed -i "s/<vcpu placement='static'>1</<vcpu placement='static'>2</"` });
    assert.equal(r.code, 0, r.err);
    const after = virsh('dumpxml', '--inactive', '--security-info', clones[0]!);
    assert.match(after, /<vcpu placement='static'>2</, 'the edit was defined');
    assert.match(after, /passwd='s3cretpw'/, 'the password is still there');
  });

  it('the CLI and the extension cloning one template at once take distinct numbers too', async () => {
    const tpl = freshTemplate();
    const first = await run(['-t', tpl.name, 'clone', '3']);
    assert.equal(first.code, 0, first.err);
    const [made, cli] = await Promise.all([service().clone(tpl.name, 5), run(['-t', tpl.name, 'clone', '5'])]);
    assert.equal(cli.code, 0, cli.err);
    assert.equal(made.length, 5);
    assert.deepEqual(numbers(tpl), Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it("the CLI's edit, prepare-image and rename wait while another process holds the clone's or template's lock", async () => {
    const tpl = freshTemplate();
    const made2 = await run(['-t', tpl.name, 'clone', '2']);
    assert.equal(made2.code, 0, made2.err);
    const two = (await service().inventory()).clones.find((c) => c.template === tpl.name && c.id === 2)!;
    const vcpus = () => /<vcpu[^>]*>(\d+)</.exec(virsh('dumpxml', '--inactive', two.uuid))![1];
    const edit = await whileHeld(
      (w) => service().withCloneLock(two.uuid, w),
      ['-t', tpl.name, 'edit', '2'],
      { EDITOR: `sed -i "s/<vcpu placement='static'>1</<vcpu placement='static'>2</"` },
      () => assert.equal(vcpus(), '1', 'not defined while the lock is held'),
    );
    assert.equal(edit.code, 0, edit.err);
    assert.equal(vcpus(), '2');
    const staging = `${tpl.name}-staging`;
    const prep = await whileHeld((w) => service().withTemplateLock(tpl.name, w), ['modify-template', tpl.name, 'prepare-image'], {}, () =>
      assert.equal(domainExists(staging), false, 'no staging clone while the lock is held'),
    );
    assert.equal(prep.code, 0, prep.err);
    assert.match(virsh('domstate', staging), /running/);
    const discard = await run(['modify-template', tpl.name, 'discard-image']);
    assert.equal(discard.code, 0, discard.err);
    const to = `${tpl.name}x`;
    const ren = await whileHeld((w) => service().withTemplateLock(tpl.name, w), ['modify-template', tpl.name, 'rename', to], {}, () =>
      assert.ok(fs.existsSync(tpl.xmlPath), 'not renamed while the lock is held'),
    );
    assert.equal(ren.code, 0, ren.err);
    assert.ok(fs.existsSync(path.join(bed.root, 'templates', `${to}.xml`)));
    assert.equal(bed.domains().filter((d) => d.startsWith(`${to}-`)).length, 2);
  });

  it("check's fix waits while another process holds the template's lock", async () => {
    const tpl = freshTemplate();
    const to = tpl.name;
    fs.chmodSync(tpl.disk, 0o644); // the template's image writable again: check offers to make it read-only
    const writable = () => (fs.statSync(tpl.disk).mode & 0o222) !== 0;
    let release!: () => void;
    const held = service().withTemplateLock(to, () => new Promise<void>((r) => (release = r)));
    await sleep(200);
    const p = spawn(process.execPath, [cliJs, 'check', to, '--fix'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let code: number | null | undefined;
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const closed = new Promise<void>((r) => p.on('close', (c) => ((code = c), r())));
    await pollUntil('the report', () => /is writable on disk/.test(out) || code !== undefined, 120_000);
    await sleep(2000); // the fix would be applied by now without the lock
    assert.equal(code, undefined, `check ended while the lock was held: ${out}${err}`);
    assert.ok(writable(), 'not made read-only while the lock is held');
    release();
    await held;
    await closed;
    assert.ok(!writable(), `made read-only once the lock was free: ${out}${err}`);
  });
});
