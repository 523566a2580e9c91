import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDomainXmlValidator, problemSpan, problemSpans, type DomainXmlValidator } from '../../src/libvirt/validation';

const FIXTURE = fs.readFileSync(path.join(__dirname, '../fixtures/xml/domain-inactive.xml'), 'utf8');

function broken(from: string, to: string): string {
  assert.equal(FIXTURE.split(from).length, 2, `fixture has exactly one ${from}`);
  return FIXTURE.replace(from, to);
}

describe('problem spans: what each problem of a real validation covers', function () {
  this.timeout(30000);
  let v: DomainXmlValidator;
  before(() => {
    v = createDomainXmlValidator();
  });
  after(() => v.dispose());

  /** The text each problem of `text` covers. */
  async function covered(text: string): Promise<string[]> {
    const r = await v.validate(text);
    assert.equal(r.valid, false, 'the text is invalid');
    return problemSpans(text, r.problems).map((s) => (s ? text.slice(s.start, s.end) : '<none>'));
  }

  it('covers the text of an element whose value is wrong, not its tag', async () => {
    assert.deepEqual(await covered(broken("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>abc</vcpu>")), ['abc']);
    assert.deepEqual(await covered(broken('<on_crash>destroy</on_crash>', '<on_crash> explode </on_crash>')), ['explode']);
  });

  it('covers the value of an attribute whose value is wrong', async () => {
    assert.deepEqual(await covered(broken("<boot dev='hd'/>", "<boot dev='hdx'/>")), ['hdx']);
    assert.deepEqual(await covered(broken("<model type='cirrus'", "<model type='cirrusx'")), ['cirrusx']);
  });

  it('covers the whole of an unknown attribute, and the start tag of an unknown element', async () => {
    assert.deepEqual(await covered(broken("<boot dev='hd'/>", "<boot dev='hd' speed=\"9\"/>")), ['speed="9"']);
    assert.deepEqual(await covered(broken('<clock', '<bogus a="1"/>\n  <clock')), ['<bogus a="1"/>']);
  });

  it('covers the start tag of an element lacking a required child', async () => {
    const noType = broken("    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n", '');
    assert.deepEqual(await covered(noType), ['<os>']);
  });

  it('gives no span for XML syntax errors (the line is all that is known)', async () => {
    const text = broken("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>1</vcpux>");
    assert.deepEqual(await covered(text), ['<none>']);
  });
});

describe('problem spans read attributes as attributes, not as text', () => {
  const text = `<domain>\n  <os>\n    <boot title="x dev='hd'" dev='hdx'/>\n  </os>\n</domain>\n`;
  const at = (message: string, raw: string): string | undefined => {
    const s = problemSpan(text, { line: 3, message, raw });
    return s && text.slice(s.start, s.end);
  };

  it("finds the attribute itself, not a look-alike inside another attribute's value", () => {
    assert.equal(at("<boot>: dev='hdx' is not allowed (expected one of: hd, fd)", 'Element boot failed to validate attributes'), 'hdx');
    assert.equal(at("<boot>: unknown attribute 'dev'", 'Invalid attribute dev for element boot'), "dev='hdx'");
  });

  it('marks the quotes of an empty value, and the start tag when the attribute is not there', () => {
    const empty = `<domain>\n  <os>\n    <boot dev=""/>\n  </os>\n</domain>\n`;
    const s = problemSpan(empty, { line: 3, message: "<boot>: dev='' is not allowed (expected one of: hd)", raw: '' });
    assert.equal(s && empty.slice(s.start, s.end), '""');
    assert.equal(at("<boot>: speed='9' is not allowed (expected one of: 1)", ''), `<boot title="x dev='hd'" dev='hdx'/>`);
  });
});
