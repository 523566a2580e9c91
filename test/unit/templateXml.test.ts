// Pure parts of the template commands, on a domain XML captured from `virsh dumpxml --inactive` (libvirt 9.0).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XmlError, UsageError } from '../../src/core/errors';
import { DomainDoc } from '../../src/libvirt/domain/domainDoc';
import { overlayDisks, parseDomain } from '../../src/libvirt/domain/domainModel';
import { importSourceKind } from '../../src/libvirt/templates/importSource';
import { renamedCloneName } from '../../src/libvirt/templates/templateOps';
import { generationOf, generationPath, isOurGeneration } from '../../src/libvirt/storage/images';
import { formatReport } from '../../src/libvirt/check/check';

const dumped = fs.readFileSync(path.join(__dirname, '../fixtures/templates/domain-dumpxml.xml'), 'utf8');

describe('template XML', () => {
  it('finds the writable file disks, not the read-only cdrom', () => {
    const d = new DomainDoc(dumped);
    assert.equal(d.name, 'qqt-capture-tpl');
    assert.deepEqual(d.disks(), [{ target: 'vda', source: '/var/tmp/qqt-capture/base.qcow2', format: 'qcow2' }]);
  });
  it('renames, repoints a disk, forgets UUID and MACs, keeps the rest', () => {
    const d = new DomainDoc(dumped);
    d.name = 'other';
    d.setDiskSource('vda', '/pool/x.gen2.vda.qcow2');
    d.forgetIdentity();
    d.setMetadata(`<q2c:clone xmlns:q2c="urn:x" template="tpl" id="0" staging="yes"/>`);
    const out = d.toString();
    const again = new DomainDoc(out);
    assert.equal(again.name, 'other');
    assert.equal(again.disks()[0]?.source, '/pool/x.gen2.vda.qcow2');
    assert.doesNotMatch(out, /<uuid>|<mac /);
    assert.match(out, /staging="yes"/);
    // Every other byte as it was (quotes, order, indentation): only these lines changed.
    const expected = dumped
      .replace(
        /  <name>qqt-capture-tpl<\/name>\n  <uuid>[^<]*<\/uuid>\n/,
        `  <name>other</name>\n  <metadata>\n    <q2c:clone xmlns:q2c="urn:x" template="tpl" id="0" staging="yes"/>\n  </metadata>\n`,
      )
      .replace(`<source file='/var/tmp/qqt-capture/base.qcow2'/>`, `<source file='/pool/x.gen2.vda.qcow2'/>`)
      .replace(/      <mac address='[^']*'\/>\n/, '');
    assert.notEqual(expected, dumped);
    assert.equal(out, expected);
    assert.throws(() => d.setDiskSource('vdz', '/x'), XmlError);
  });
  it('changes only what it is asked to, CRLF documents and missing elements included', () => {
    const crlf = [
      `<domain type="qemu">`,
      `  <name>a&amp;b</name>`,
      `  <uuid>u</uuid>`,
      `  <metadata><other:x xmlns:other="urn:o"/><q2c:clone xmlns:q2c="urn:x" id="1"/></metadata>`,
      `  <devices>`,
      `    <disk device="disk"><source file="/i/a.raw"/><backingStore type="file"><source file="/b"/></backingStore><target dev="vda"/></disk>`,
      `    <interface type="user"><mac address="52:54:00:00:00:01"/></interface>`,
      `  </devices>`,
      `</domain>`,
      ``,
    ].join('\r\n');
    const d = new DomainDoc(crlf);
    assert.equal(d.name, 'a&b', 'entities decoded');
    assert.deepEqual(d.disks(), [{ target: 'vda', source: '/i/a.raw', format: 'raw' }]);
    d.setDiskSource('vda', '/g/x&y.qcow2');
    d.forgetIdentity();
    d.setMetadata(`<q2c:clone xmlns:q2c="urn:x" id="0"/>`);
    d.name = 'c<d';
    assert.equal(
      d.toString(),
      [
        `<domain type="qemu">`,
        `  <name>c&lt;d</name>`,
        `  <metadata><other:x xmlns:other="urn:o"/><q2c:clone xmlns:q2c="urn:x" id="0"/></metadata>`,
        `  <devices>`,
        `    <disk device="disk"><driver name='qemu' type='qcow2'/><source file="/g/x&amp;y.qcow2"/><target dev="vda"/></disk>`,
        `    <interface type="user"></interface>`,
        `  </devices>`,
        `</domain>`,
        ``,
      ].join('\r\n'),
    );
    const bare = new DomainDoc(`<domain><devices/></domain>`);
    bare.setMetadata(`<m:x xmlns:m="urn:m"/>`);
    bare.name = 'n';
    assert.equal(bare.name, 'n');
    assert.match(bare.toString(), /^<domain>\n  <name>n<\/name>\n  <metadata>\n    <m:x xmlns:m="urn:m"\/>\n  <\/metadata><devices\/><\/domain>$/);
  });

  it('rejects what is not a domain document', () => {
    assert.throws(() => new DomainDoc('<network><name>x</name></network>'), XmlError);
    assert.throws(() => new DomainDoc('<domain><name>x</name>'), XmlError);
  });
});

describe('template names, sources and generations', () => {
  it('tells import paths from domain names; relative paths are refused', () => {
    assert.equal(importSourceKind('Debian'), 'domain');
    assert.equal(importSourceKind('/etc/x.xml'), 'path');
    assert.throws(() => importSourceKind('dir/x.xml'), UsageError);
    assert.throws(() => importSourceKind(''), UsageError);
  });
  it('renames clones by their template prefix only', () => {
    assert.equal(renamedCloneName('Deb#3', 'Deb', 'Ubu'), 'Ubu#3');
    assert.equal(renamedCloneName('custom', 'Deb', 'Ubu'), 'custom');
  });
  it('numbers generations by file name', () => {
    const p = generationPath('/pool', 'Deb', 3, 'vda');
    assert.equal(p, '/pool/template-images/Deb.gen3.vda.qcow2');
    assert.equal(generationOf(p), 3);
    assert.equal(generationOf('/home/u/deb.qcow2'), 1);
    assert.ok(isOurGeneration('/pool', p));
    assert.ok(!isOurGeneration('/other', p));
  });
  it('reports each finding with its fix or the advice', () => {
    const text = formatReport([
      { kind: 'stray-file', message: 'x is stray.', fix: 'Delete x.', file: 'x' },
      { kind: 'missing-template', message: 'c has no template.', advice: 'Import it.' },
    ]);
    assert.match(text, /2 problem\(s\)/);
    assert.match(text, /1\. \[stray-file\] x is stray\.\n {3}Fix: Delete x\./);
    assert.match(text, /No automatic fix: Import it\./);
    assert.match(formatReport([], 'T'), /template T\): no problems found/);
  });
});

describe('one reading of a domain\'s writable file disks', () => {
  const domain = (disks: string) => `<domain type='qemu'>\n  <name>t</name>\n  <devices>\n${disks}  </devices>\n</domain>\n`;
  const disk = (attrs: string, inner: string) => `    <disk ${attrs}>\n      ${inner}\n    </disk>\n`;
  const variants = [
    disk(`type='file' device='disk'`, `<source file='/i/a.qcow2'/><target dev='vda'/>`),
    // No type attribute: libvirt's default, a file disk.
    disk(`device='disk'`, `<source file='/i/b.qcow2'/><target dev='vdb'/>`),
    disk(`type='file'`, `<source file='/i/c.qcow2'/><target dev='vdc'/>`),
    disk(`type='file' device='cdrom'`, `<source file='/i/d.iso'/><target dev='hdc'/><readonly/>`),
    disk(`type='file' device='disk'`, `<source file='/i/e.qcow2'/><target dev='vde'/><shareable/>`),
    disk(`type='block' device='disk'`, `<source dev='/dev/sdx'/><target dev='vdf'/><readonly/>`),
  ];

  it('DomainDoc (template files) and parseDomain (clones, staging, check) name the same disks, a disk without a type included', () => {
    const xml = domain(variants.join(''));
    const fromDoc = new DomainDoc(xml).disks().map((d) => d.target);
    const fromModel = overlayDisks(parseDomain(xml)).map((d) => d.target);
    assert.deepEqual(fromDoc, ['vda', 'vdb', 'vdc']);
    assert.deepEqual(fromModel, fromDoc);
  });
});
