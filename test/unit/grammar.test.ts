/**
 * The TextMate grammar of domain XML (syntaxes/libvirt-xml.tmLanguage.json). No TextMate engine is installed here, so
 * its libvirt patterns are run as JavaScript regular expressions (they use nothing Oniguruma has and JavaScript
 * lacks) on lines of a domain as libvirt writes it and on near misses; the manifest entry and the XML base are
 * checked as data.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
interface Rule {
  readonly name: string;
  readonly match: string;
}
const grammar = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes/libvirt-xml.tmLanguage.json'), 'utf8')) as {
  scopeName: string;
  patterns: { include: string }[];
  injections: Record<string, { patterns: { include: string }[] }>;
  repository: { 'libvirt-values': { patterns: Rule[] } };
};
const rules = grammar.repository['libvirt-values'].patterns;
const FIXTURE = fs.readFileSync(path.join(root, 'test/fixtures/xml/domain-inactive.xml'), 'utf8');

/** Every [first scope, text] the libvirt rules mark in `line`, as a tokenizer would, leftmost first. */
function marks(line: string): [string, string][] {
  const out: [string, string][] = [];
  let at = 0;
  for (;;) {
    let best: { scope: string; index: number; text: string } | undefined;
    for (const r of rules) {
      const re = new RegExp(r.match, 'g');
      re.lastIndex = at;
      const m = re.exec(line);
      if (m && m[0] && (!best || m.index < best.index)) best = { scope: r.name.split(' ')[0]!, index: m.index, text: m[0] };
    }
    if (!best) return out;
    out.push([best.scope, best.text]);
    at = best.index + best.text.length;
  }
}

describe('TextMate grammar of domain XML', () => {
  it('is the grammar of our language, built on XML, and marks libvirt values inside quoted attributes too', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      contributes: { grammars: { language: string; scopeName: string; path: string }[]; languages: { id: string }[] };
    };
    const entry = pkg.contributes.grammars.find((g) => g.language === 'qq2clone-xml');
    assert.ok(entry && pkg.contributes.languages.some((l) => l.id === 'qq2clone-xml'));
    assert.equal(entry.scopeName, grammar.scopeName);
    assert.equal(path.resolve(root, entry.path), path.join(root, 'syntaxes/libvirt-xml.tmLanguage.json'));
    assert.deepEqual(grammar.patterns, [{ include: '#libvirt-values' }, { include: 'text.xml' }]);
    assert.deepEqual(grammar.injections, { 'L:text.xml.libvirt string.quoted -comment': { patterns: [{ include: '#libvirt-values' }] } });
    assert.deepEqual(
      rules.map((r) => r.name),
      ['constant.other.uuid.libvirt', 'constant.other.mac.libvirt', 'keyword.other.unit.libvirt', 'string.other.path.libvirt markup.underline.link.libvirt'],
    );
  });

  it('marks the UUID, units, MAC address and paths of a domain as libvirt dumps it', () => {
    const marked = FIXTURE.split('\n').flatMap(marks);
    assert.deepEqual(marked, [
      ['constant.other.uuid.libvirt', 'd16dd2cb-e4a0-4007-81cc-30612c37483f'],
      ['keyword.other.unit.libvirt', 'KiB'],
      ['keyword.other.unit.libvirt', 'KiB'],
      ['string.other.path.libvirt', '/usr/bin/qemu-system-x86_64'],
      ['string.other.path.libvirt', '/var/tmp/qqt-xmlfix-7918.qcow2'],
      ['constant.other.mac.libvirt', '52:54:00:aa:bb:01'],
    ]);
  });

  it('UUIDs: the 8-4-4-4-12 form only', () => {
    assert.deepEqual(marks('<uuid>D16DD2CB-E4A0-4007-81CC-30612C37483F</uuid>'), [['constant.other.uuid.libvirt', 'D16DD2CB-E4A0-4007-81CC-30612C37483F']]);
    assert.deepEqual(marks('<uuid>d16dd2c-e4a0-4007-81cc-30612c37483f</uuid>'), []);
    assert.deepEqual(marks('<uuid>d16dd2cb-e4a0-4007-81cc-30612c37483fa</uuid>'), []);
    assert.deepEqual(marks('<uuid>g16dd2cb-e4a0-4007-81cc-30612c37483f</uuid>'), []);
  });

  it('MAC addresses: six hex pairs, not five or seven', () => {
    assert.deepEqual(marks("<mac address='52:54:00:AA:bb:01'/>"), [['constant.other.mac.libvirt', '52:54:00:AA:bb:01']]);
    assert.deepEqual(marks("<mac address='52:54:00:aa:bb'/>"), []);
    assert.deepEqual(marks("<mac address='52:54:00:aa:bb:01:02'/>"), []);
    assert.deepEqual(marks('<time>12:30:45</time>'), []);
  });

  it('units: the value of a unit attribute, nothing longer', () => {
    for (const u of ['b', 'bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'KB', 'k', 'K', 'M', 'G']) {
      assert.deepEqual(marks(`<memory unit='${u}'>1</memory>`), [['keyword.other.unit.libvirt', u]], u);
      assert.deepEqual(marks(`<memory unit="${u}">1</memory>`), [['keyword.other.unit.libvirt', u]], u);
    }
    assert.deepEqual(marks("<memory unit='KiBB'>1</memory>"), []);
    assert.deepEqual(marks("<memory unit='kib'>1</memory>"), []);
  });

  it('paths: absolute ones, in text and attribute values; not URLs, relative paths or closing tags', () => {
    assert.deepEqual(marks("<source file='/var/lib/libvirt/images/vm-1.qcow2'/>"), [['string.other.path.libvirt', '/var/lib/libvirt/images/vm-1.qcow2']]);
    assert.deepEqual(marks('<loader>/usr/share/OVMF/OVMF_CODE_4M.secboot.fd</loader>'), [
      ['string.other.path.libvirt', '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd'],
    ]);
    assert.deepEqual(marks("<source dir='/srv/share/'/>"), [['string.other.path.libvirt', '/srv/share/']]);
    assert.deepEqual(marks("<source protocol='https' name='https://example.org/a/b.iso'/>"), []);
    assert.deepEqual(marks("<source file='images/a.qcow2'/>"), []);
    assert.deepEqual(marks('</disk>'), []);
  });
});
