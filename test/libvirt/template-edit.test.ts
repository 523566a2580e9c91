// Saving an edited template XML (libvirt/templates/editedTemplate.ts), the one rule of the CLI's
// `modify-template NAME edit` and the extension's template documents: the <name> stays, the file is written only
// while it is still the text the edit started from, and nothing is written when it refuses.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, XmlError } from '../../src/core/errors';
import type { LibvirtService } from '../../src/libvirt/api';
import { saveEditedTemplate, TemplateNameChangedError, templateNameChange } from '../../src/libvirt/templates';
import { importTemplate } from '../../src/libvirt/templates/templateOps';
import { TestBed } from '../testbed';
import { depsFor, serviceFor } from './templateHelpers';

describe('saving an edited template (real files, real locks)', function () {
  this.timeout(60000);
  let bed: TestBed;
  let svc: LibvirtService;
  let name: string;
  let file: string;
  let original: string;
  beforeEach(async () => {
    bed = new TestBed('tedit');
    svc = serviceFor(bed);
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'e');
    name = (await importTemplate(depsFor(svc), t.xmlPath)).name;
    file = path.join(bed.root, 'templates', `${name}.xml`);
    original = fs.readFileSync(file, 'utf8');
  });
  afterEach(() => {
    svc.dispose();
    bed.cleanup();
  });

  const templateFiles = () => fs.readdirSync(path.join(bed.root, 'templates')).sort();

  it('writes an edit that keeps the <name>, as typed', async () => {
    const edited = original.replace(/<vcpu>1<\/vcpu>/, '<vcpu>2</vcpu> <!-- two -->');
    assert.notEqual(edited, original);
    await saveEditedTemplate(svc, name, edited, { base: original });
    assert.equal(fs.readFileSync(file, 'utf8'), edited);
    assert.equal(await svc.templateXml(name), edited);
  });

  it('refuses an edit that changes or drops the <name> (exit 12, saying how to rename); nothing is written', async () => {
    const renamed = original.replace(`<name>${name}</name>`, `<name>${name}-x</name>`);
    await assert.rejects(saveEditedTemplate(svc, name, renamed, { base: original }), (e: unknown) => {
      assert.ok(e instanceof TemplateNameChangedError);
      assert.ok(e instanceof UsageError);
      assert.equal(e.exitCode, 12);
      assert.equal(e.template, name);
      assert.equal(e.edited, `${name}-x`);
      assert.match(e.message, new RegExp(`must stay ${name} \\(the edit has ${name}-x\\).*rename command`));
      return true;
    });
    const dropped = original.replace(`<name>${name}</name>`, '');
    await assert.rejects(saveEditedTemplate(svc, name, dropped, { base: original }), (e: unknown) => e instanceof TemplateNameChangedError && e.edited === '');
    assert.equal(fs.readFileSync(file, 'utf8'), original);
    assert.deepEqual(templateFiles(), [`${name}.xml`]);
    assert.equal(templateNameChange(name, original), undefined);
    assert.throws(() => templateNameChange(name, '<domain><name>'), XmlError);
  });

  it('refuses when the file changed since the edit began (conflict told what it is now), and writes nothing', async () => {
    const meanwhile = original.replace(/<memory unit=.MiB.>32<\/memory>/, '<memory unit="MiB">40</memory>');
    assert.notEqual(meanwhile, original);
    fs.writeFileSync(file, meanwhile);
    const edited = original.replace(/<vcpu>1<\/vcpu>/, '<vcpu>2</vcpu>');
    let told: string | undefined;
    const conflict = (now: string) => ((told = now), new Error('conflict'));
    await assert.rejects(saveEditedTemplate(svc, name, edited, { base: original, conflict }), /^Error: conflict$/);
    assert.equal(told, meanwhile);
    await assert.rejects(saveEditedTemplate(svc, name, edited, { base: original }), (e: unknown) => e instanceof UsageError && /changed by something else/.test(e.message));
    assert.equal(fs.readFileSync(file, 'utf8'), meanwhile);
  });

  it('waits for the template lock held elsewhere, then checks and writes under it', async () => {
    const edited = original.replace(/<vcpu>1<\/vcpu>/, '<vcpu>3</vcpu>');
    const order: string[] = [];
    let release!: () => void;
    const held = svc.withTemplateLock(name, () => new Promise<void>((r) => (release = () => (order.push('released'), r()))));
    await new Promise((r) => setTimeout(r, 200));
    const saving = saveEditedTemplate(svc, name, edited, { base: original }).then(() => order.push('saved'));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fs.readFileSync(file, 'utf8'), original, 'not written while the lock is held');
    release();
    await Promise.all([held, saving]);
    assert.deepEqual(order, ['released', 'saved']);
    assert.equal(fs.readFileSync(file, 'utf8'), edited);
  });
});
