/**
 * The one reader of domain XML (src/core/xmlScan.ts), used by the domain model's byte-exact edits and by validation
 * to place problems. Among these cases are those where the two scanners it replaced read the same text differently.
 */
import * as assert from 'node:assert/strict';
import { XmlError } from '../../src/core/errors';
import {
  attr,
  child,
  decodeXml,
  elementsIn,
  encodeXml,
  scanWellFormedXml,
  scanXml,
  textOf,
  tryScanXml,
  type XmlElement,
} from '../../src/core/xmlScan';

const names = (els: readonly XmlElement[]): string[] => els.map((e) => e.name);

describe('XML scanner', () => {
  it('records offsets around CDATA, comments with markup and processing instructions', () => {
    const x = `<?xml version="1.0"?>\n<a><!-- <b x='1'/> --><![CDATA[<c/>]]><d k="v"/></a>`;
    for (const root of [scanXml(x), scanWellFormedXml(x)]) {
      assert.deepEqual(names(root.children), ['d']);
      const k = root.children[0]!.attrs[0]!;
      assert.equal(x.slice(k.valueStart, k.valueEnd), 'v');
    }
  });

  it('gives each element its lines and its tag offsets together (CRLF text)', () => {
    const x = "<domain>\r\n  <name>vm</name>\r\n  <devices>\r\n    <disk type='file'\r\n          device='disk'/>\r\n  </devices>\r\n</domain>\r\n";
    const root = scanXml(x);
    assert.equal(root.line, 1);
    assert.equal(root.endLine, 7);
    const name = child(root, 'name')!;
    assert.equal(x.slice(name.start, name.openEnd), '<name>');
    assert.equal(x.slice(name.openEnd, name.closeStart), 'vm');
    assert.equal(x.slice(name.closeStart, name.end), '</name>');
    assert.equal(name.selfClosing, false);
    const disk = child(child(root, 'devices'), 'disk')!;
    assert.deepEqual([disk.line, disk.endLine], [4, 5]);
    assert.equal(disk.selfClosing, true);
    assert.equal(disk.closeStart, disk.openEnd);
    assert.equal(disk.end, disk.openEnd);
    assert.ok(x.slice(disk.start, disk.end).endsWith("device='disk'/>"));
    assert.equal(disk.parent?.name, 'devices');
    assert.equal(disk.parent?.parent, root);
  });

  it("reads attributes with both quotes, '>' inside a value, entities decoded, and the offsets of name and raw value", () => {
    const x = `<a  one = "x>y"\ttwo='&lt;&#65;&#x42;&amp;&quot;' three=""/>`;
    const root = scanXml(x);
    assert.deepEqual(
      root.attrs.map((a) => [a.name, a.value]),
      [['one', 'x>y'], ['two', '<AB&"'], ['three', '']],
    );
    const one = attr(root, 'one')!;
    assert.equal(x.slice(one.start, one.valueEnd + 1), 'one = "x>y"');
    const two = attr(root, 'two')!;
    assert.equal(x.slice(two.valueStart, two.valueEnd), '&lt;&#65;&#x42;&amp;&quot;');
    const three = attr(root, 'three')!;
    assert.equal(three.valueStart, three.valueEnd);
    assert.equal(root.openEnd, x.length);
  });

  it('skips a DOCTYPE whose internal subset holds a ">" and a "<"', () => {
    // A scanner that ended the declaration at its first '>' read `<c">` as a start tag.
    const x = `<!DOCTYPE a [<!ENTITY x "p>q<c">]>\n<a><b/></a>`;
    const root = scanXml(x);
    assert.equal(root.name, 'a');
    assert.deepEqual(names(root.children), ['b']);
    assert.equal(root.line, 2);
  });

  it('skips a DOCTYPE whose quoted literals hold "]", ">" and "<" (found by the generated documents)', () => {
    // The shrunk counterexample: the declaration ended at the '>' inside the SYSTEM literal, and `<"` was read as a tag.
    const shrunk = `<!DOCTYPE a SYSTEM "><"><a></a>`;
    assert.equal(scanXml(shrunk).name, 'a');
    assert.equal(scanXml(shrunk).start, shrunk.indexOf('<a>'));
    // A ']' in a literal closed the internal subset early, and the rest of the literal was read as the root element.
    for (const x of [`<!DOCTYPE a SYSTEM "]>x<b/>"><a/>`, `<!DOCTYPE a [<!ENTITY x ']><b/>'>]><a/>`, `<!DOCTYPE a [<!-- ]><b/> -->]><a/>`]) {
      const root = scanXml(x);
      assert.equal(root.name, 'a', x);
      assert.equal(root.start, x.lastIndexOf('<a/>'), x);
    }
    assert.throws(() => scanXml(`<!DOCTYPE a SYSTEM "><a/>`), (e: unknown) => e instanceof XmlError && /declaration on line 1 is not closed/.test(e.message));
  });

  it('refuses an end tag that does not close the element open (both entry points)', () => {
    // One scanner matched end tags to nothing and accepted this; the other left it to a validator run first.
    const x = '<a><b></a></b>';
    assert.throws(() => scanXml(x), (e: unknown) => e instanceof XmlError && /<\/a> does not close <b>/.test(e.message));
    assert.throws(() => scanWellFormedXml(x), XmlError);
    assert.equal(tryScanXml(x), undefined);
    assert.equal(tryScanXml('</a>'), undefined);
  });

  it('refuses, with an XmlError rather than a crash or an endless loop, text that cannot be read as elements', () => {
    for (const x of [
      '<!-- open',
      '<a><!-- open</a>',
      '<a><![CDATA[ open</a>',
      '<?pi open',
      '<!DOCTYPE a [ <a/>',
      '<a>< b</a>',
      '<a b></a>',
      '<a b="x></a>',
      '<a><b></a>',
      '<a',
      'no element at all',
      '',
    ]) {
      assert.throws(() => scanXml(x), XmlError, x);
      assert.throws(() => scanWellFormedXml(x), XmlError, x);
      assert.equal(tryScanXml(x), undefined, x);
    }
  });

  it('refuses a character reference beyond Unicode with an XmlError, not a RangeError', () => {
    for (const x of ['<a b="&#x110000;"/>', '<a b="&#1114112;"/>']) {
      assert.throws(() => scanXml(x), XmlError, x);
      assert.equal(tryScanXml(x), undefined, x);
    }
    assert.throws(() => textOf('<a>&#x110000;</a>', scanXml('<a>&#x110000;</a>')), XmlError);
    assert.equal(decodeXml('&#x10FFFF;&#65;&nbsp;'), '\u{10FFFF}A&nbsp;');
  });

  it('checks full well-formedness only when asked (scanWellFormedXml), for XML about to be changed', () => {
    const x = '<a>&</a>';
    assert.equal(scanXml(x).name, 'a');
    assert.throws(() => scanWellFormedXml(x), (e: unknown) => e instanceof XmlError && /not well-formed/.test(e.message));
  });

  it('accepts an end tag with blanks before its ">" and keeps the first of several top-level elements', () => {
    const root = scanXml('<a><b></b ></a>\n<c/>');
    assert.equal(root.name, 'a');
    assert.deepEqual(names(root.children), ['b']);
    assert.equal(root.end, '<a><b></b ></a>'.length);
  });

  it('lists every element in document order, and reads simple text decoded and trimmed', () => {
    const x = '<a><b><c/><d/></b><e> x &amp; y </e></a>';
    const root = scanXml(x);
    assert.deepEqual(names(elementsIn(root)), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(textOf(x, child(root, 'e')), 'x & y');
    assert.equal(textOf(x, child(root, 'z')), undefined);
    assert.equal(decodeXml(encodeXml(`<'&">`)), `<'&">`);
  });

  it('keeps positions across a deep document without recursion limits', () => {
    const depth = 20000;
    const x = '<e>'.repeat(depth) + '</e>'.repeat(depth);
    const all = elementsIn(scanXml(x));
    assert.equal(all.length, depth);
    assert.equal(all.at(-1)!.start, (depth - 1) * 3);
  });
});
