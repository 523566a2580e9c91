/** Domain XML edits by splicing: only the changed bytes differ; CRLF, comments and the rest stay identical. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XmlError } from '../../src/core/errors';
import { CLONE_NS, applyEdits, clonableDisks, cloneXml, metaEdit, parseDomain, type CloneEdits } from '../../src/libvirt/domain/domainModel';

const fx = (f: string) => fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8');

const TEMPLATE = `<!-- a template -->
<domain type='qemu'>
  <name>tpl</name>
  <memory unit='MiB'>32</memory>
  <devices>
    <!-- the system disk -->
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source file='/img/tpl.raw'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/img/install.iso'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <interface type='user'>
      <mac address="52:54:00:aa:bb:01"/>
    </interface>
    <interface type='user'>
      <mac address='52:54:00:aa:bb:02'/>
    </interface>
  </devices>
</domain>
`;

let macN = 0;
const edits = (over: Partial<CloneEdits> = {}): CloneEdits => ({
  name: 'tpl-7',
  uuid: '11111111-2222-4333-8444-555555555555',
  mac: () => `52:54:00:00:00:0${++macN}`,
  overlays: new Map([[0, '/pool/tpl-7-vda.qcow2']]),
  meta: { template: 'tpl', id: 7, overlays: ['/pool/tpl-7-vda.qcow2'], storage: '/pool' },
  ...over,
});

/** Lines of `b` not present at the same place in `a` (a crude diff: count of changed/added lines). */
function changedLines(a: string, b: string): string[] {
  const al = new Set(a.split('\n'));
  return b.split('\n').filter((l) => !al.has(l));
}

describe('XML splice edits', () => {
  beforeEach(() => (macN = 0));

  it('changes name, inserts uuid and metadata, new MACs, overlay source as qcow2; nothing else', () => {
    const out = cloneXml(TEMPLATE, edits());
    assert.equal(
      out,
      TEMPLATE.replace('<name>tpl</name>', `<name>tpl-7</name>
  <uuid>11111111-2222-4333-8444-555555555555</uuid>
  <metadata>
    <q2c:clone xmlns:q2c="${CLONE_NS}" template="tpl" id="7" storage="/pool">
      <q2c:overlay path="/pool/tpl-7-vda.qcow2"/>
    </q2c:clone>
  </metadata>`)
        .replace("type='raw' cache", "type='qcow2' cache")
        .replace('/img/tpl.raw', '/pool/tpl-7-vda.qcow2')
        .replace('52:54:00:aa:bb:01', '52:54:00:00:00:01')
        .replace('52:54:00:aa:bb:02', '52:54:00:00:00:02'),
    );
    const d = parseDomain(out);
    assert.equal(d.uuid, '11111111-2222-4333-8444-555555555555');
    assert.deepEqual(d.meta, { template: 'tpl', id: 7, overlays: ['/pool/tpl-7-vda.qcow2'], storage: '/pool' });
    assert.equal(d.disks[1]!.source, '/img/install.iso', 'the cdrom is shared, not cloned');
    assert.deepEqual(clonableDisks(parseDomain(TEMPLATE)).map((k) => k.target), ['vda']);
  });

  it('keeps CRLF line ends (also in inserted lines), comments and attribute quoting', () => {
    const crlf = TEMPLATE.replace(/\n/g, '\r\n');
    const out = cloneXml(crlf, edits());
    assert.ok(!/[^\r]\n/.test(out), 'every line ends with CRLF');
    assert.ok(out.includes('<!-- the system disk -->\r\n'));
    assert.ok(out.startsWith('<!-- a template -->\r\n'));
    assert.ok(out.includes(`<mac address="52:54:00:00:00:01"/>`), 'double quotes kept');
    assert.equal(out.replace(/\r\n/g, '\n'), cloneXml(TEMPLATE, (macN = 0, edits())));
  });

  it('on a libvirt dumpxml changes only the lines that must change', () => {
    const src = fx('dumpxml-inactive.xml');
    const out = cloneXml(src, edits({ overlays: new Map([[0, '/pool/a.qcow2']]), meta: { template: 'T', id: 9, overlays: [] } }));
    const changed = changedLines(src, out);
    assert.deepEqual(changed.map((l) => l.trim().replace(/>.*$/, '>').slice(0, 12)).sort(), [
      '<name>', '<q2c:clone x', '<source file', '<uuid>',
    ].sort());
    assert.equal(out.split('\n').length, src.split('\n').length, 'no line added or removed');
  });

  it('replaces our metadata element and keeps foreign metadata', () => {
    const withMeta = TEMPLATE.replace(
      '<name>tpl</name>',
      `<name>tpl</name>
  <metadata>
    <app:x xmlns:app="https://example.invalid/app">keep me</app:x>
    <q2c:clone xmlns:q2c="${CLONE_NS}" template="old" id="1"/>
  </metadata>`,
    );
    const d = parseDomain(withMeta);
    assert.equal(d.meta?.template, 'old');
    const out = applyEdits(withMeta, [metaEdit(d, { template: 'new', id: 2, overlays: [] })]);
    assert.ok(out.includes('<app:x xmlns:app="https://example.invalid/app">keep me</app:x>'));
    assert.equal(parseDomain(out).meta?.template, 'new');
    assert.equal(out.split('\n').length, withMeta.split('\n').length);
    const noOurs = withMeta.replace(/\n    <q2c:clone[^\n]*/, '');
    const out2 = applyEdits(noOurs, [metaEdit(parseDomain(noOurs), { template: 'n', id: 3, overlays: [] })]);
    assert.ok(out2.includes('keep me'));
    assert.deepEqual(parseDomain(out2).meta, { template: 'n', id: 3, overlays: [] });
  });

  it('replaces an existing uuid; adds a driver type or element when missing', () => {
    const t = TEMPLATE.replace('<name>tpl</name>', '<name>tpl</name>\n  <uuid>aaaaaaaa-2222-4333-8444-555555555555</uuid>')
      .replace("<driver name='qemu' type='raw' cache='none'/>", "<driver name='qemu'/>");
    const out = cloneXml(t, edits());
    assert.equal(parseDomain(out).uuid, '11111111-2222-4333-8444-555555555555');
    assert.ok(out.includes("<driver name='qemu' type='qcow2'/>"));
    const noDriver = TEMPLATE.replace("      <driver name='qemu' type='raw' cache='none'/>\n", '');
    const out2 = cloneXml(noDriver, edits());
    assert.ok(out2.includes("<driver name='qemu' type='qcow2'/>\n      <source file='/pool/tpl-7-vda.qcow2'/>"));
  });

  it('escapes values and refuses XML that is not well-formed or not a domain', () => {
    const out = cloneXml(TEMPLATE, edits({ overlays: new Map([[0, "/p/a'&b.qcow2"]]) }));
    assert.equal(parseDomain(out).disks[0]!.source, "/p/a'&b.qcow2");
    assert.throws(() => parseDomain('<domain><name>x</domain>'), XmlError);
    assert.throws(() => parseDomain('<pool/>'), XmlError);
    assert.throws(() => cloneXml('<domain type="qemu"/>', edits()), XmlError);
  });
});
