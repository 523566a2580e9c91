// check against the real daemon: break things by hand (undefine a clone, delete an overlay, drop a stray file, ...),
// check finds each, and its fixes remove exactly what they say and nothing else.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LibvirtService } from '../../src/libvirt/api';
import { applyFix, formatReport, runCheck, type Finding } from '../../src/libvirt/check';
import { copyTemplate, importTemplate } from '../../src/libvirt/templates/templateOps';
import { commitImage, destroyImage, prepareImage } from '../../src/libvirt/clones/staging';
import { TestBed, qemuImg, tinyDomainXml, virsh, virshFailure } from '../testbed';
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
  /** A left-over is old: files written in the last minutes may belong to a clone being made, and check skips them. */
  const leftOver = (...files: string[]) => {
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const f of files) fs.utimesSync(f, hourAgo, hourAgo);
  };
  const mineOf = (found: Finding[]) => found.filter((f) => f.file?.startsWith(bed.root) || f.template?.startsWith(bed.prefix));

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

    leftOver(orphanOf!, stray, oldGen);

    const keep = files().filter((f) => ![orphanOf, stray, oldGen].includes(f));
    const findings = await runCheck(svc, undefined, { validate: depsFor(svc).validate });
    // Other tests share the daemon: their clones' templates are not in this bed's template directory.
    const mine = mineOf(findings);
    assert.deepEqual(of(mine, 'orphan-overlay').map((f) => f.file), [orphanOf]);
    assert.deepEqual(of(mine, 'stray-file').map((f) => f.file), [stray]);
    assert.deepEqual(of(mine, 'unused-generation').map((f) => f.file), [oldGen]);
    assert.deepEqual(of(mine, 'backing-missing').map((f) => f.uuid).sort(), [clones[1]!.uuid, clones[3]!.uuid].sort());
    assert.deepEqual(of(mine, 'stale-saved-state').map((f) => f.uuid), [clones[3]!.uuid]);
    assert.deepEqual(of(mine, 'missing-template').map((f) => f.uuid), [lost!.uuid]);
    assert.deepEqual(of(mine, 'invalid-template').map((f) => f.template), [`${bed.prefix}-bad`]);
    assert.deepEqual(of(mine, 'image-writable').map((f) => f.file), [t.disk]);
    assert.equal(of(mine, 'duplicate-id').length, 1);
    const dup = of(mine, 'duplicate-id')[0]!;
    assert.match(dup.message, /both have number 3/);
    assert.equal(dup.uuid, virsh('domuuid', `${bed.prefix}-dup`).trim(), 'the clone not at its usual name gets the new number');
    assert.match(dup.fix ?? '', /lowest free number/);
    assert.deepEqual(of(mine, 'writable-base').map((f) => f.file), [t.disk]);
    for (const f of mine) assert.ok(f.fix || f.advice, `${f.kind} says what to do`);
    // Removing a clone or setting a template aside is offered, but only on explicit choice.
    const explicit = mine.filter((f) => f.explicit);
    assert.deepEqual(
      explicit.map((f) => `${f.kind} ${f.uuid ?? f.template}`).sort(),
      [
        `backing-missing ${clones[1]!.uuid}`,
        `backing-missing ${clones[3]!.uuid}`,
        `invalid-template ${bed.prefix}-bad`,
        `missing-template ${lost!.uuid}`,
      ].sort(),
    );
    assert.ok(explicit.every((f) => f.fix), 'each explicit finding has a fix');

    // Restricted to the template: the other template's problems are not listed.
    const only = await runCheck(svc, t.name);
    assert.ok(only.every((f) => f.template === t.name));
    assert.ok(!only.some((f) => f.kind === 'missing-template' || f.kind === 'stray-file'));

    // "Apply all": the safe fixes.
    for (const f of mine.filter((x) => x.fix && !x.explicit)) await applyFix(svc, f);
    assert.deepEqual(files(), keep, 'exactly the reported files were deleted');
    assert.equal(fs.statSync(t.disk).mode & 0o222, 0);
    assert.deepEqual(virsh('list', '--all', '--with-managed-save', '--name').split('\n').filter((n) => n.startsWith(bed.prefix)), [], 'no managed save left');
    const numbers = (await svc.inventory()).clones.filter((c) => c.template === t.name).map((c) => c.id);
    assert.equal(new Set(numbers).size, numbers.length, `clone numbers are unique again: ${numbers.join(',')}`);
    assert.ok(numbers.includes(3), 'the clone at its usual name kept its number');
    assert.equal(bed.domains().length, 6, 'no domain was removed by the safe fixes');

    // The explicit ones, chosen one by one: the broken clones and the clone of the missing template go, with
    // their overlays in our storage; the invalid template file is set aside.
    const lostOverlay = path.join(pool(), `${lost!.name}-vda.qcow2`);
    assert.ok(fs.existsSync(lostOverlay));
    for (const f of explicit) assert.match(await applyFix(svc, f), /Removed|already gone|Set .* aside/);
    const left = new Set(bed.domains());
    for (const c of [clones[1]!, clones[3]!, lost!]) assert.ok(!left.has(c.name), `${c.name} was removed`);
    assert.ok(left.has(clones[2]!.name) && left.has(`${bed.prefix}-dup`));
    assert.ok(!fs.existsSync(lostOverlay), 'its overlay was deleted');
    assert.ok(fs.existsSync(path.join(bed.root, 'templates', `${bed.prefix}-bad.xml.invalid`)));
    assert.deepEqual(files(), keep.filter((f) => f !== lostOverlay));
    const after = mineOf(await runCheck(svc)).filter((f) => f.fix);
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
    assert.ok(changed[0]!.explicit, 'removing the clone is offered only on explicit choice');
    const [overlay] = await svc.cloneDisks(clone!.uuid);
    assert.match(await applyFix(svc, changed[0]!), /Removed/);
    assert.deepEqual(bed.domains(), []);
    assert.ok(!fs.existsSync(overlay!), 'its overlay went with it');
    assert.ok(fs.existsSync(t.disk), 'never the template image');
  });

  it('a deleted template image: its clones are reported with a missing backing file, and can be removed', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'gone');
    await importTemplate(depsFor(svc), t.xmlPath);
    const [a, b] = await svc.clone(t.name, 2);
    const [overlayA] = await svc.cloneDisks(a!.uuid);
    fs.rmSync(t.disk); // the template image, deleted by hand
    const found = await runCheck(svc, t.name);
    assert.deepEqual(found.map((f) => `${f.kind} ${f.uuid}`).sort(), [`backing-missing ${a!.uuid}`, `backing-missing ${b!.uuid}`].sort());
    const fa = found.find((f) => f.uuid === a!.uuid)!;
    assert.equal(fa.message, `Clone 1 (${a!.name}): the backing file ${t.disk} of its disk ${overlayA} is missing.`);
    assert.match(fa.fix ?? '', /^Remove clone 1 .*undefine it and delete its overlay/);
    assert.ok(fa.explicit);
    assert.match(await applyFix(svc, fa), /Removed/);
    assert.deepEqual(bed.domains(), [b!.name], 'only the chosen clone went');
    assert.ok(!fs.existsSync(overlayA!));
  });

  it('a fix looks again before deleting: not a file in use by then, not a new file, nothing when something is unreadable', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'race');
    await importTemplate(depsFor(svc), t.xmlPath);
    fs.mkdirSync(pool(), { recursive: true });
    const overlay = path.join(pool(), `${bed.prefix}-later-vda.qcow2`);
    qemuImg('create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', t.disk, overlay);
    leftOver(overlay);
    const [f] = mineOf(await runCheck(svc)).filter((x) => x.file === overlay);
    assert.equal(f?.kind, 'orphan-overlay');
    // A domain takes the file after the report was made: the fix refuses.
    const xml = path.join(bed.root, 'later.xml');
    fs.writeFileSync(xml, tinyDomainXml({ name: `${bed.prefix}-later`, disk: overlay, mac: '52:54:00:aa:bb:78' }));
    virsh('define', xml);
    await assert.rejects(applyFix(svc, f!), /in use now/);
    assert.ok(fs.existsSync(overlay));
    virsh('undefine', `${bed.prefix}-later`);

    // A file written moments ago (a clone's overlay is copied before its domain is defined) is reported as
    // possibly being made right now, without a fix; a fix for it refuses.
    const fresh = path.join(pool(), `${bed.prefix}-fresh-vda.qcow2`);
    qemuImg('create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', t.disk, fresh);
    const young = (await runCheck(svc)).find((x) => x.file === fresh);
    assert.equal(young?.kind, 'orphan-overlay');
    assert.equal(young?.recent, true);
    assert.equal(young?.fix, undefined);
    await assert.rejects(applyFix(svc, { kind: 'orphan-overlay', message: '', fix: 'x', file: fresh }), /moments ago/);
    assert.ok(fs.existsSync(fresh));

    // Something cannot be read (here a template's image is damaged): nothing is offered for deletion.
    const bad = path.join(bed.root, 'images', 'damaged.qcow2');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 99]), Buffer.alloc(200)]));
    fs.writeFileSync(path.join(bed.root, 'templates', `${bed.prefix}-damaged.xml`), tinyDomainXml({ name: `${bed.prefix}-damaged`, disk: bad }));
    const g = mineOf(await runCheck(svc)).find((x) => x.file === overlay);
    assert.equal(g?.fix, undefined);
    assert.match(g?.advice ?? '', /Not offered for deletion: .*cannot tell whether anything still uses it: .*damaged\.qcow2/);
    await assert.rejects(applyFix(svc, f!), /cannot tell/);
    assert.ok(fs.existsSync(overlay));
    fs.rmSync(bad);
    assert.match(await applyFix(svc, f!), /Deleted/, 'once everything can be read, the left-over goes');
    assert.ok(!fs.existsSync(overlay));
  });

  it('a clone undefined behind the tool\'s back a moment ago: its overlay is reported at once, marked recent, deletion offered later', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'fresh');
    await importTemplate(depsFor(svc), t.xmlPath);
    const [c] = await svc.clone(t.name, 1);
    const [overlay] = await svc.cloneDisks(c!.uuid);
    virsh('undefine', c!.uuid);
    const found = mineOf(await runCheck(svc, t.name));
    assert.notEqual(formatReport(found, t.name), `qq2clone check (template ${t.name}): no problems found.\n`);
    const f = found.find((x) => x.file === overlay);
    assert.ok(f, `reported: ${formatReport(found, t.name)}`);
    assert.equal(f.kind, 'orphan-overlay');
    assert.equal(f.recent, true);
    assert.match(f.message, /written \d+ minute\(s\) ago: possibly being made right now/);
    assert.equal(f.fix, undefined, 'no deletion offered yet');
    assert.match(f.advice ?? '', /deletion is offered once it is older than 2 minute\(s\)/);
    // Once older than the grace period, deletion is offered.
    leftOver(overlay!);
    const later = mineOf(await runCheck(svc, t.name)).find((x) => x.file === overlay);
    assert.equal(later?.recent, undefined);
    assert.equal(later?.fix, `Delete ${overlay}.`);
  });

  it('a storage path typed with a trailing slash or "..": file fixes still work inside it, and only inside it', async () => {
    for (const typed of [`${pool()}/`, `${pool()}/../pool`]) {
      const other = serviceFor(bed, typed);
      try {
        fs.mkdirSync(pool(), { recursive: true });
        const stray = path.join(pool(), 'stray.bin');
        fs.writeFileSync(stray, 'left over');
        leftOver(stray);
        const [f] = (await runCheck(other)).filter((x) => x.file === stray);
        assert.equal(f?.kind, 'stray-file', typed);
        assert.equal(await applyFix(other, f!), `Deleted ${stray}.`);
        assert.ok(!fs.existsSync(stray));
        await assert.rejects(applyFix(other, { ...f!, file: `${pool()}/../outside.bin` }), /is not in/);
      } finally {
        other.dispose();
      }
    }
  });

  it('a VM holding the template image writable blocks clones (QEMU write lock); read-only on disk prevents it', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'lock');
    await importTemplate(depsFor(svc), t.xmlPath);
    const [clone] = await svc.clone(t.name, 1);
    const foreignXml = path.join(bed.root, 'foreign.xml');
    fs.writeFileSync(foreignXml, tinyDomainXml({ name: `${bed.prefix}-holder`, disk: t.disk, mac: '52:54:00:aa:bb:77' }));
    virsh('define', foreignXml);
    // Read-only on disk: the holder cannot open the template image for writing.
    assert.match(virshFailure('start', `${bed.prefix}-holder`), /Permission denied/, 'a writable attach of a read-only image fails');
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
  it('check TEMPLATE finds the overlay of a clone undefined behind its back after the template moved to a newer image', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'gen');
    await importTemplate(depsFor(svc), t.xmlPath);
    const [clone] = await svc.clone(t.name, 1);
    const [overlay] = await svc.cloneDisks(clone!.uuid);
    await prepareImage(svc, t.name);
    await destroyImage(svc, t.name);
    const r = await commitImage(svc, t.name);
    assert.equal(r.clonesOnOldImage, 1);
    virsh('undefine', clone!.uuid); // behind the tool's back: the overlay still backs onto the previous image
    leftOver(overlay!);
    const found = await runCheck(svc, t.name);
    const orphan = found.find((f) => f.file === overlay);
    assert.equal(orphan?.kind, 'orphan-overlay', formatReport(found, t.name));
    assert.equal(orphan?.template, t.name);
    assert.match(orphan?.fix ?? '', /^Delete /);
  });

});
