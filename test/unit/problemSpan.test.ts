import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDomainXmlValidator, problemSpans, type DomainXmlValidator } from '../../src/validation';

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
