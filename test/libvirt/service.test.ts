/**
 * The libvirt service against the real daemon: clones are real domains on real qcow2 overlays; files are checked
 * on disk with qemu-img. Everything made here carries the TestBed prefix and is removed afterwards.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LibvirtUnavailableError, TemplateError, UsageError } from '../../src/core/errors';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import type { CloneInfo, CloneRef } from '../../src/libvirt/api';
import { guestExec, waitForGuest, type GuestExecResult } from '../guest';
import { TestBed, TEST_URI, qemuImg, tinyDomainXml, tryVirsh, virsh, domainExists } from '../testbed';

function info(file: string): { format: string; 'backing-filename'?: string; 'backing-filename-format'?: string } {
  return JSON.parse(qemuImg('info', '-U', '--output=json', file)) as never;
}

function ref(c: CloneInfo): CloneRef {
  return { template: c.template, id: c.id, uuid: c.uuid, name: c.name };
}

describe('libvirt service: clone and operations', function () {
  let bed: TestBed;
  let svc: Libvirt;
  let tpl: { name: string; xmlPath: string; disk: string };
  let storage: string;

  before(() => {
    bed = new TestBed('svc');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
    tpl = bed.makeTemplateFile(svc.config.templateDir, 'tpl');
    storage = svc.config.storage;
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  it('lists the template, makes clones on qcow2 overlays backed by the template disk, and lists them', async () => {
    const before = fs.readFileSync(tpl.disk);
    const made = await svc.clone(tpl.name, 3);
    assert.deepEqual(made.map((c) => c.id), [1, 2, 3]);
    const inv = await svc.inventory();
    assert.ok(inv.templates.some((t) => t.name === tpl.name && t.disks[0] === tpl.disk));
    const mine = inv.clones.filter((c) => c.template === tpl.name);
    assert.deepEqual(mine.map((c) => [c.id, c.name, c.state]), [
      [1, `${tpl.name}-1`, 'off'],
      [2, `${tpl.name}-2`, 'off'],
      [3, `${tpl.name}-3`, 'off'],
    ]);
    for (const c of mine) {
      const disks = await svc.cloneDisks(c.uuid);
      assert.equal(disks.length, 1);
      assert.ok(disks[0]!.startsWith(storage + path.sep), disks[0]);
      const i = info(disks[0]!);
      assert.equal(i.format, 'qcow2');
      assert.equal(i['backing-filename'], tpl.disk);
      assert.equal(i['backing-filename-format'], 'qcow2');
      const xml = await svc.domainXml(c.uuid);
      assert.match(xml, /<q2c:clone xmlns:q2c="https:\/\/qq2clone.invalid\/xmlns\/clone\/1" template="[^"]+" id="\d"/);
    }
    const macs = new Set<string>();
    for (const c of mine) for (const m of (await svc.domainXml(c.uuid)).matchAll(/mac address='([^']+)'/g)) macs.add(m[1]!);
    assert.equal(macs.size, 3, 'every clone has its own MAC');
    assert.ok(before.equals(fs.readFileSync(tpl.disk)), 'template disk unchanged');
  });

  it('takes the lowest free numbers, skipping a number whose overlay name a file already holds', async () => {
    const t = bed.makeTemplateFile(svc.config.templateDir, 'num');
    const target = /<target dev='([^']+)'/.exec(fs.readFileSync(t.xmlPath, 'utf8'))![1]!;
    fs.mkdirSync(storage, { recursive: true });
    const squatter = path.join(storage, `${t.name}-2-${target}.qcow2`);
    fs.writeFileSync(squatter, 'not ours');
    const made = await svc.clone(t.name, 3);
    try {
      assert.deepEqual(made.map((c) => c.id), [1, 3, 4]);
      assert.equal(fs.readFileSync(squatter, 'utf8'), 'not ours', 'the file there is left alone');
    } finally {
      await svc.run('rm', made.map(ref));
      fs.rmSync(squatter, { force: true });
    }
  });

  it('refuses more than 1000 clones in one request before making any (the rule the CLI and the extension ask)', async () => {
    const before = bed.domains().length;
    await assert.rejects(svc.clone(tpl.name, 1001), (e: Error) => e instanceof UsageError && /At most 1000 clones/.test(e.message));
    assert.equal(bed.domains().length, before);
  });

  it('start, save, start restores, suspend, resume, destroy; skips what does not apply', async () => {
    const inv = await svc.inventory();
    const mine = inv.clones.filter((c) => c.template === tpl.name).map(ref);
    const one = mine.slice(0, 1);
    let r = await svc.run('start', mine);
    assert.equal(r.done.length, 3, JSON.stringify(r.failed.map((f) => f.error.message)));
    const again = await svc.run('start', one);
    assert.equal(again.skipped.length, 1);
    assert.match(again.skipped[0]!.reason, /running/);
    r = await svc.run('save', one);
    assert.equal(r.done.length, 1, JSON.stringify(r.failed.map((f) => f.error.message)));
    let c1 = (await svc.inventory()).clones.find((c) => c.uuid === one[0]!.uuid)!;
    assert.equal(c1.state, 'saved');
    assert.equal(c1.saved, true);
    assert.match(virsh('domstate', '--reason', one[0]!.uuid), /shut off \(saved\)/);
    r = await svc.run('start', one);
    assert.equal(r.done.length, 1);
    assert.match(virsh('domstate', '--reason', one[0]!.uuid), /running \(restored\)/);
    r = await svc.run('suspend', one);
    assert.equal(r.done.length, 1);
    c1 = (await svc.inventory()).clones.find((c) => c.uuid === one[0]!.uuid)!;
    assert.equal(c1.state, 'paused');
    r = await svc.run('resume', mine);
    assert.deepEqual([r.done.length, r.skipped.length], [1, 2]);
    r = await svc.run('destroy', mine);
    assert.equal(r.done.length, 3);
    const states = (await svc.inventory()).clones.filter((c) => c.template === tpl.name).map((c) => [c.state, c.reason]);
    assert.deepEqual(states, [['off', 'destroyed'], ['off', 'destroyed'], ['off', 'destroyed']]);
  });

  it('save-rm removes the managed save image', async () => {
    const c = (await svc.inventory()).clones.filter((x) => x.template === tpl.name)[1]!;
    await svc.run('start', [ref(c)]);
    await svc.run('save', [ref(c)]);
    assert.match(virsh('list', '--all', '--with-managed-save', '--uuid'), new RegExp(c.uuid));
    const r = await svc.run('save-rm', [ref(c)]);
    assert.equal(r.done.length, 1);
    assert.doesNotMatch(virsh('list', '--all', '--with-managed-save', '--uuid'), new RegExp(c.uuid));
  });

  it('rm, rm-wipe and rm-shred undefine and delete only the overlay, never the template disk', async () => {
    const mine = (await svc.inventory()).clones.filter((c) => c.template === tpl.name);
    const files = await Promise.all(mine.map((c) => svc.cloneDisks(c.uuid)));
    await svc.run('start', [ref(mine[0]!)]);
    const ops = ['rm', 'rm-wipe', 'rm-shred'] as const;
    for (let i = 0; i < 3; i++) {
      const r = await svc.run(ops[i]!, [ref(mine[i]!)]);
      assert.equal(r.done.length, 1, JSON.stringify(r.failed.map((f) => f.error.message)));
      assert.equal(domainExists(mine[i]!.uuid), false, 'domain is gone');
      assert.equal(fs.existsSync(files[i]![0]!), false, `${ops[i]} deleted the overlay`);
    }
    assert.ok(fs.existsSync(tpl.disk), 'template disk kept');
    assert.equal(info(tpl.disk).format, 'qcow2');
    assert.equal((await svc.inventory()).clones.filter((c) => c.template === tpl.name).length, 0);
  });

  it('rm-wipe and rm-shred overwrite the guest data before deleting the overlay', async () => {
    const made = await svc.clone(tpl.name, 2);
    const pattern = Buffer.alloc(64 * 1024, 0xab);
    const kept: string[] = [];
    for (const c of made) {
      const [overlay] = await svc.cloneDisks(c.uuid);
      // Guest data in the overlay: 1 MiB of 0xab written through qemu's own qcow2 driver.
      execFileSync('qemu-io', ['-c', 'write -P 0xab 0 1M', overlay!], { stdio: 'ignore' });
      // A second name for the same inode: after rm unlinks the overlay, its bytes stay readable here.
      const link = path.join(bed.root, `kept-${c.id}`);
      fs.linkSync(overlay!, link);
      kept.push(link);
      assert.ok(fs.readFileSync(link).includes(pattern), 'the pattern is in the overlay file');
    }
    const sizes = kept.map((k) => fs.statSync(k).size);
    assert.equal((await svc.run('rm-wipe', [ref(made[0]!)])).done.length, 1);
    assert.equal((await svc.run('rm-shred', [ref(made[1]!)])).done.length, 1);
    for (const c of made) assert.equal(domainExists(c.uuid), false);
    const wiped = fs.readFileSync(kept[0]!);
    assert.equal(wiped.length, sizes[0], 'wiped in place, not truncated');
    assert.ok(wiped.every((b) => b === 0), 'rm-wipe zeroed every byte, qcow2 header included');
    const shredded = fs.readFileSync(kept[1]!);
    assert.ok(shredded.length >= sizes[1]!, 'shredded in place, not truncated first');
    assert.ok(!shredded.includes(pattern.subarray(0, 4096)), 'rm-shred overwrote the guest data');
    assert.notEqual(shredded.subarray(0, 4).toString('latin1'), 'QFI\xfb', 'and the qcow2 header');
    assert.ok(shredded.filter((b) => b !== 0).length > shredded.length / 2, 'with shred\'s random passes');
    for (const k of kept) fs.rmSync(k);
  });

  it('a crashed clone kept active by on_crash=preserve is not started but destroyed first by rm', async () => {
    const crashTpl = bed.makeTemplateFile(svc.config.templateDir, 'crash', "    <panic model='isa'><address type='isa' iobase='0x505'/></panic>\n");
    fs.writeFileSync(crashTpl.xmlPath, fs.readFileSync(crashTpl.xmlPath, 'utf8').replace('</os>', '</os>\n  <on_crash>preserve</on_crash>'));
    const [c] = await svc.clone(crashTpl.name, 1, { run: true });
    const [overlay] = await svc.cloneDisks(c!.uuid);
    // The guest "panics": a write to the pvpanic port, as a crashing kernel does.
    virsh('qemu-monitor-command', c!.uuid, '--hmp', 'o 0x505 1');
    for (let i = 0; i < 50 && virsh('domstate', c!.uuid).trim() !== 'crashed'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(virsh('domstate', '--reason', c!.uuid).trim(), 'crashed (panicked)');
    assert.equal((await svc.inventory()).clones.find((x) => x.uuid === c!.uuid)!.state, 'crashed');
    const start = await svc.run('start', [ref(c!)]);
    assert.deepEqual(start.skipped.map((s) => s.reason), ['crashed and still active (on_crash=preserve): destroy it first']);
    const r = await svc.run('rm', [ref(c!)]);
    assert.equal(r.done.length, 1, JSON.stringify(r.failed.map((f) => f.error.message)));
    // Undefining an active domain would only have made it transient, still running on a deleted overlay.
    assert.equal(domainExists(c!.uuid), false, 'the domain is gone, not left running as a transient one');
    assert.equal(fs.existsSync(overlay!), false);
  });

  it('refuses to clone a template with a writable disk no overlay can stand in front of, and makes nothing', async () => {
    const block = bed.makeTemplateFile(svc.config.templateDir, 'block', "    <disk type='block' device='disk'><source dev='/dev/null'/><target dev='vdb' bus='virtio'/></disk>\n");
    const before = fs.existsSync(storage) ? fs.readdirSync(storage) : [];
    await assert.rejects(svc.clone(block.name, 1), (e: unknown) => {
      assert.ok(e instanceof TemplateError, String(e));
      assert.match(e.message, /writable disk vdb \(block disk \/dev\/null\) cannot get a copy-on-write overlay.*<readonly\/>/);
      return true;
    });
    assert.deepEqual(bed.domains().filter((d) => d.startsWith(`${block.name}-`)), []);
    assert.deepEqual(fs.existsSync(storage) ? fs.readdirSync(storage) : [], before);
  });

  it('a clone start refused by QEMU\'s write lock says what it means: another VM holds the template image writable', async () => {
    const [c] = await svc.clone(tpl.name, 1);
    const holder = `${bed.prefix}-holder`;
    const holderXml = path.join(bed.root, 'holder.xml');
    fs.writeFileSync(holderXml, tinyDomainXml({ name: holder, disk: tpl.disk, mac: '52:54:00:aa:bb:78' }));
    virsh('define', holderXml);
    try {
      virsh('start', holder);
      const r = await svc.run('start', [ref(c!)]);
      assert.equal(r.done.length, 0);
      const msg = r.failed[0]?.error.message ?? '';
      assert.match(msg, new RegExp(`^Clone ${c!.id} \\(${c!.name}\\) of ${tpl.name} cannot start: another running VM has the template's image open for writing \\(QEMU write lock\\)`));
      assert.match(msg, /Shut that VM down \(qq2clone check names it\)\. Failed to start domain .*Failed to get (shared )?"write" lock/s, 'QEMU\'s text follows the explanation');
      assert.equal(r.failed[0]!.error.exitCode, 16);
    } finally {
      tryVirsh('destroy', holder);
      tryVirsh('undefine', holder);
    }
    assert.equal((await svc.run('rm', [ref(c!)])).done.length, 1);
  });

  it('probe says what to do when the daemon cannot be reached or virsh is missing', async () => {
    const down = createLibvirtService({ uri: 'qemu:///system?socket=/nonexistent/libvirt-sock', home: bed.root });
    await assert.rejects(down.probe(), (e: unknown) => {
      assert.ok(e instanceof LibvirtUnavailableError);
      assert.equal(e.reason, 'daemon-down');
      assert.match(e.failure.stderr ?? '', /Failed to connect socket/);
      return true;
    });
    down.dispose();
    const saved = process.env.PATH;
    process.env.PATH = bed.root;
    const missing = createLibvirtService({ uri: TEST_URI, home: bed.root });
    try {
      await assert.rejects(missing.probe(), (e: unknown) => e instanceof LibvirtUnavailableError && e.reason === 'not-installed' && e.exitCode === 11);
    } finally {
      process.env.PATH = saved;
      missing.dispose();
    }
    await svc.probe();
  });

  it('rm deletes only bookkeeping-listed files inside the storage: never a template disk or a file elsewhere', async () => {
    const [c] = await svc.clone(tpl.name, 1);
    const [overlay] = await svc.cloneDisks(c!.uuid);
    const outside = path.join(bed.root, 'outside.qcow2');
    fs.writeFileSync(outside, 'not ours');
    // Bookkeeping that (wrongly) lists the template's disk and a file outside the storage besides the overlay.
    const xml = (await svc.domainXml(c!.uuid)).replace(
      /(<q2c:overlay path="[^"]+"\/>)/,
      `$1<q2c:overlay path="${tpl.disk}"/><q2c:overlay path="${outside}"/><q2c:overlay path="${storage}/../templates/x"/>`,
    );
    await svc.defineXml(xml);
    const r = await svc.run('rm', [ref(c!)]);
    assert.equal(r.done.length, 1, JSON.stringify(r.failed.map((f) => f.error.message)));
    assert.equal(fs.existsSync(overlay!), false);
    assert.ok(fs.existsSync(tpl.disk), 'template disk kept');
    assert.equal(fs.readFileSync(outside, 'utf8'), 'not ours');
  });

  it('a real guest: a file written in a clone survives save/restore and destroy+start, and is not in its sibling', async function () {
    this.timeout(900_000); // three boots of a TCG guest: about 5 s each on a quiet machine, minutes on an overloaded one
    const gt = bed.makeGuestTemplate(svc.config.templateDir, 'guest');
    const [a, b] = (await svc.clone(gt.name, 2)).map(ref);
    let r = await svc.run('start', [a!, b!]);
    assert.equal(r.done.length, 2, JSON.stringify(r.failed.map((f) => f.error.message)));
    await Promise.all([waitForGuest(a!.uuid), waitForGuest(b!.uuid)]);
    const mark = `clone ${a!.id} ${Date.now()}\n`;
    const w = await guestExec(a!.uuid, ['sh', '-c', 'cat > /root/mark && sync'], { input: mark });
    assert.equal(w.exitCode, 0, w.stderr);
    const readMark = (c: CloneRef): Promise<GuestExecResult> => guestExec(c.uuid, ['cat', '/root/mark']);

    assert.equal((await svc.run('save', [a!])).done.length, 1);
    assert.match(virsh('domstate', '--reason', a!.uuid), /shut off \(saved\)/);
    assert.equal((await svc.run('start', [a!])).done.length, 1);
    assert.match(virsh('domstate', '--reason', a!.uuid), /running \(restored\)/);
    await waitForGuest(a!.uuid);
    assert.equal((await readMark(a!)).stdout, mark, 'the restored guest still has it (in memory and on disk)');

    r = await svc.run('destroy', [a!]);
    assert.equal(r.done.length, 1);
    assert.equal((await svc.run('start', [a!])).done.length, 1);
    await waitForGuest(a!.uuid);
    assert.equal((await readMark(a!)).stdout, mark, 'a fresh boot of the clone reads it from its overlay');

    const sibling = await readMark(b!);
    assert.notEqual(sibling.exitCode, 0);
    assert.match(sibling.stderr, /No such file/);
    assert.equal((await svc.run('destroy', [a!, b!])).done.length, 2);
  });

  it('the low-level virsh() runs arguments with quotes through a session and TAB or newlines one-shot', async () => {
    assert.equal(await svc.virsh(['echo', "it's", 'a b', '#x']), "it's a b #x");
    assert.equal((await svc.virsh(['echo', 'a\tb'])).trim(), 'a\tb');
  });
});
