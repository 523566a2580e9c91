import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDomainXmlValidator, type DomainXmlValidator } from '../../src/validation';

/** `virsh dumpxml --inactive` of a tiny domain (libvirt 9.0.0), as the editor shows a clone. */
const FIXTURE = fs.readFileSync(path.join(__dirname, '../fixtures/xml/domain-inactive.xml'), 'utf8');

/** The fixture with `from` replaced (which must occur exactly once). */
function broken(from: string, to: string): string {
  assert.equal(FIXTURE.split(from).length, 2, `fixture has exactly one ${from}`);
  return FIXTURE.replace(from, to);
}

function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  return text.slice(0, i).split('\n').length;
}

/** virt-xml-validate's verdict on the same text. */
function virtXmlValidate(text: string): boolean {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qq2-validate-')), 'domain.xml');
  fs.writeFileSync(file, text);
  try {
    execFileSync('virt-xml-validate', [file], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

describe('validateDomainXml', function () {
  this.timeout(30000);
  let v: DomainXmlValidator;
  before(() => {
    v = createDomainXmlValidator();
  });
  after(() => v.dispose());

  it('accepts a domain as libvirt dumps it, with comments and our namespaced metadata added', async () => {
    assert.deepEqual(await v.validate(FIXTURE), { valid: true, problems: [] });
    const edited = broken('<devices>', '<devices>\n    <!-- kept as written -->').replace(
      '  <memory',
      '  <metadata>\n    <qq2clone:clone xmlns:qq2clone="https://qq2clone.invalid/xmlns/clone/1" template="t" id="1"/>\n  </metadata>\n  <memory',
    );
    assert.deepEqual(await v.validate(edited), { valid: true, problems: [] });
  });

  it('reports an unknown element on its line', async () => {
    const text = broken("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>1</vcpu>\n  <bogus/>");
    const r = await v.validate(text);
    assert.equal(r.valid, false);
    assert.deepEqual(r.problems, [
      {
        line: lineOf(text, '<bogus/>'),
        message: '<bogus> is not allowed in <domain> (unknown element, or in the wrong place)',
        raw: 'Element domain has extra content: bogus',
      },
    ]);
  });

  it('reports a bad attribute value on the element', async () => {
    const text = broken("<memory unit='KiB'>", "<memory unit='KiBB'>");
    const r = await v.validate(text);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message]),
      [[4, "<memory>: attribute 'unit' is unknown or its value is invalid"]],
    );
  });

  it('reports a missing required element on its parent', async () => {
    const text = broken('  <name>qqt-xmlfix-7918</name>\n', '');
    const r = await v.validate(text);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message]),
      [[1, '<domain> is missing the required element <name>']],
    );
  });

  it('reports malformed XML as a syntax error at the parser position', async () => {
    const text = broken("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>1</vcpux>");
    const r = await v.validate(text);
    assert.equal(r.valid, false);
    assert.equal(r.problems[0]?.line, 6);
    assert.match(r.problems[0]!.message, /^XML syntax error: Opening and ending tag mismatch: vcpu line 6 and vcpux/);
  });

  it('pins a bad value deep inside <devices> to its own line, not to <devices>', async () => {
    const text = broken("<driver name='qemu' type='qcow2'/>", "<driver name='qemu' type='qcow2' cache='fast'/>");
    const r = await v.validate(text);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message]),
      [[lineOf(text, 'cache='), "<driver>: attribute 'cache' is unknown or its value is invalid"]],
    );
    const mac = broken("address='52:54:00:aa:bb:01'", "address='52:54:00:aa:bb'");
    const m = await v.validate(mac);
    assert.deepEqual(
      m.problems.map((p) => p.line),
      [lineOf(mac, '<mac ')],
    );
    assert.match(m.problems[0]!.message, /^<mac> is invalid.*52:54:00:12:34:56/);
  });

  it('reports problems in <devices> and elsewhere in one pass', async () => {
    const text = broken("<model type='cirrus'", "<model type='cirrusx'").replace('<clock', '<bogus/>\n  <clock');
    const r = await v.validate(text);
    assert.deepEqual(
      r.problems.map((p) => p.line),
      [lineOf(text, '<bogus/>'), lineOf(text, "type='cirrusx'")],
    );
  });

  it('requires <domain> at the root (the wrapper grammar also accepts <devices>, for fragments)', async () => {
    const r = await v.validate('<devices>\n</devices>\n');
    assert.deepEqual(r.problems, [
      { line: 1, message: 'expected <domain> here, found <devices>', raw: 'Expecting element domain, got devices' },
    ]);
  });

  it('gives the same verdicts as virt-xml-validate', async () => {
    const texts = [
      FIXTURE,
      broken("<memory unit='KiB'>", "<memory unit='KiBB'>"),
      broken('<uuid>d16dd2cb', '<uuid>zz16dd2cb'),
      broken("<audio id='1' type='spice'/>", "<watchdog model='i6300esb'/><watchdog model='i6300esb'/>"),
      broken("<input type='mouse' bus='ps2'/>", "<input type='mouse' bus='ps2'><bogus/></input>"),
      broken('</devices>', '</devices>\n  <devices/>'),
      '<domain type="qemu"><name>x</name></domain>',
    ];
    for (const t of texts) {
      const r = await v.validate(t);
      assert.equal(r.valid, virtXmlValidate(t), t);
      assert.equal(r.problems.length > 0, !r.valid);
    }
  });
});
