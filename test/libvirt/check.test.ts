// check against the real daemon: break things by hand (undefine a clone, delete an overlay, drop a stray file, ...),
// check finds each, and its fixes remove exactly what they say and nothing else.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LibvirtService } from '../../src/libvirt/api';
import { applyFix, runCheck, type Finding } from '../../src/libvirt/check';
import { copyTemplate, importTemplate } from '../../src/libvirt/templateOps';
import { prepareImage } from '../../src/libvirt/staging';
import { TestBed, qemuImg, tinyDomainXml, tryVirsh, virsh } from '../testbed';
import { depsFor, serviceFor } from './templateHelpers';

describe('check (real libvirt)', function () {
  this.timeout(180000);
  let bed: TestBed;
  let svc: LibvirtService;
  beforeEach(() => {
    bed = new TestBed('chk');
    svc = serviceFor(bed);
  });
  afterEach(() => {
    svc.dispose();
    bed.cleanup();
  });
  const pool = () => path.join(bed.root, 'pool');
  const files = (): string[] =>
    (fs.readdirSync(pool(), { recursive: true }) as string[]).map((f) => path.join(pool(), f)).filter((f) => fs.statSync(f).isFile()).sort();
  const of = (fs_: Finding[], kind: Finding['kind']) => fs_.filter((f) => f.kind === kind);

  it('finds each kind of problem and its fixes remove exactly those files', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 't');
    await importTemplate(depsFor(svc), t.xmlPath);
    const other = `${bed.prefix}-other`;
    await copyTemplate(depsFor(svc), t.name, other);
    const clones = await svc.clone(t.name, 4);
    const [orphanOf] = await svc.cloneDisks(clones[0]!.uuid);
    const [missing] = await svc.cloneDisks(clones[1]!.uuid);
    const [savedDisk] = await svc.cloneDisks(clones[3]!.uuid);
    const [lost] = await svc.clone(other, 1);

    // Break things by hand.
    virsh('undefine', clones[0]!.uuid); // left-over overlay, domain gone
    fs.rmSync(missing!); // a clone whose overlay is missing
    await svc.run('start', [clones[3]!]);
    await svc.run('save', [clones[3]!]);
    fs.rmSync(savedDisk!); // a saved clone whose disk is gone: its saved state is stale
    const stray = path.join(pool(), 'stray.bin');
    fs.writeFileSync(stray, 'left over');
    const oldGen = path.join(pool(), 'template-images', `${t.name}.gen7.vda.qcow2`);
    fs.mkdirSync(path.dirname(oldGen), { recursive: true });
    qemuImg('create', '-q', '-f', 'qcow2', oldGen, '1M');
    fs.rmSync(path.join(bed.root, 'templates', `${other}.xml`)); // a clone whose template is gone
    fs.writeFileSync(path.join(bed.root, 'templates', `${bed.prefix}-bad.xml`), '<domain><name>x</name>'); // invalid
    fs.chmodSync(t.disk, 0o644); // template image writable again
    const dupXml = virsh('dumpxml', '--inactive', clones[2]!.uuid)
      .replace(/<uuid>[^<]*<\/uuid>/, '')
      .replace(/<name>[^<]*<\/name>/, `<name>${bed.prefix}-dup</name>`)
      .replace(/<mac address=[^>]*\/>/g, '');
    const dupFile = path.join(bed.root, 'dup.xml');
    fs.writeFileSync(dupFile, dupXml);
    virsh('define', dupFile); // a second domain claiming clone number 3
    const foreignXml = path.join(bed.root, 'foreign.xml');
    fs.writeFileSync(foreignXml, tinyDomainXml({ name: `${bed.prefix}-foreign`, disk: t.disk }));
    virsh('define', foreignXml); // a foreign domain with the template image attached writable

    const keep = files().filter((f) => ![orphanOf, stray, oldGen].includes(f));
    const findings = await runCheck(svc, undefined, { validate: depsFor(svc).validate });
    // Other tests share the daemon: their clones' templates are not in this bed's template directory.
    const mine = findings.filter((f) => f.file?.startsWith(bed.root) || f.template?.startsWith(bed.prefix));
    assert.deepEqual(of(mine, 'orphan-overlay').map((f) => f.file), [orphanOf]);
    assert.deepEqual(of(mine, 'stray-file').map((f) => f.file), [stray]);
    assert.deepEqual(of(mine, 'unused-generation').map((f) => f.file), [oldGen]);
    assert.deepEqual(of(mine, 'backing-missing').map((f) => f.uuid).sort(), [clones[1]!.uuid, clones[3]!.uuid].sort());
    assert.deepEqual(of(mine, 'stale-saved-state').map((f) => f.uuid), [clones[3]!.uuid]);
    assert.deepEqual(of(mine, 'missing-template').map((f) => f.uuid), [lost!.uuid]);
    assert.deepEqual(of(mine, 'invalid-template').map((f) => f.template), [`${bed.prefix}-bad`]);
    assert.deepEqual(of(mine, 'image-writable').map((f) => f.file), [t.disk]);
    assert.equal(of(mine, 'duplicate-id').length, 1);
    assert.match(of(mine, 'duplicate-id')[0]!.message, /both have number 3/);
    assert.deepEqual(of(mine, 'writable-base').map((f) => f.file), [t.disk]);
    for (const f of mine) assert.ok(f.fix || f.advice, `${f.kind} says what to do`);

    // Restricted to the template: the other template's problems are not listed.
    const only = await runCheck(svc, t.name);
    assert.ok(only.every((f) => f.template === t.name));
    assert.ok(!only.some((f) => f.kind === 'missing-template' || f.kind === 'stray-file'));

    for (const f of mine.filter((x) => x.fix)) await applyFix(svc, f);
    assert.deepEqual(files(), keep, 'exactly the reported files were deleted');
    assert.equal(fs.statSync(t.disk).mode & 0o222, 0);
    assert.ok(!/\S/.test(tryVirsh('list', '--all', '--with-managed-save', '--name') ?.split('\n').filter((n) => n.startsWith(bed.prefix)).join('') ?? ''));
    const after = (await runCheck(svc)).filter((f) => f.fix && (f.file?.startsWith(bed.root) || f.template?.startsWith(bed.prefix)));
    assert.deepEqual(after, [], 'nothing fixable is left');
    await assert.rejects(applyFix(svc, { kind: 'stray-file', message: '', fix: 'x', file: '/etc/hostname' }), /not in/);
  });

  it('finds a clone whose backing image was written after the clone was made', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'chg');
    await importTemplate(depsFor(svc), t.xmlPath);
    const [clone] = await svc.clone(t.name, 1);
    assert.deepEqual((await runCheck(svc, t.name)).map((f) => f.kind), []);
    await new Promise((r) => setTimeout(r, 1500));
    fs.chmodSync(t.disk, 0o644);
    execFileSync('qemu-io', ['-c', 'write -P 0x42 0 64k', t.disk]); // something else alters the template image
    const found = await runCheck(svc, t.name);
    const changed = found.filter((f) => f.kind === 'backing-changed');
    assert.deepEqual(changed.map((f) => [f.uuid, f.file]), [[clone!.uuid, t.disk]]);
    assert.match(changed[0]!.message, /modified after the clone was made/);
    assert.equal(changed[0]!.fix, undefined, 'no automatic fix: the advice says to remake the clone');
  });

  it('a VM holding the template image writable blocks clones (QEMU write lock); read-only on disk prevents it', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'lock');
    await importTemplate(depsFor(svc), t.xmlPath);
    const [clone] = await svc.clone(t.name, 1);
    const foreignXml = path.join(bed.root, 'foreign.xml');
    fs.writeFileSync(foreignXml, tinyDomainXml({ name: `${bed.prefix}-holder`, disk: t.disk, mac: '52:54:00:aa:bb:77' }));
    virsh('define', foreignXml);
    // Read-only on disk: the holder cannot open the template image for writing.
    assert.equal(tryVirsh('start', `${bed.prefix}-holder`), undefined, 'a writable attach of a read-only image fails');
    // Made writable by hand, the holder runs, and the clone cannot start.
    fs.chmodSync(t.disk, 0o644);
    virsh('start', `${bed.prefix}-holder`);
    const r = await svc.run('start', [clone!]);
    assert.equal(r.done.length, 0);
    assert.match(r.failed[0]?.error.message ?? '', /lock/i);
    await assert.rejects(prepareImage(svc, t.name), /must never be attached writable to a running VM/);
    assert.deepEqual(bed.domains().sort(), [`${bed.prefix}-holder`, clone!.name].sort(), 'the failed prepare left nothing');
    const f = (await runCheck(svc, t.name)).filter((x) => x.kind === 'writable-base');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /clones cannot start/);
  });
});
