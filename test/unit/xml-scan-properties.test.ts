/**
 * The XML reader (src/core/xmlScan.ts) tried by the thousand. Well-formed documents are generated together with what
 * they contain (elements, attributes, the offset of every tag and value, lines), with the constructs a scanner can
 * trip over: markup inside comments, CDATA, processing instructions and DOCTYPE literals, both quotes, '>' in values
 * and text, entities and character references, CRLF and blanks around '='. Arbitrary and damaged text must give an
 * XmlError or a reading whose offsets point at what they say.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { XmlError } from '../../src/core/errors';
import { decodeXml, elementsIn, encodeXml, scanWellFormedXml, scanXml, textOf, tryScanXml, type XmlElement } from '../../src/core/xmlScan';

const RUNS = 3000;

/** A character XML 1.0 allows (Char), tabs and line ends aside. */
const isXmlChar = (c: string): boolean => /^[\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]$/u.test(c);

/** Characters that trip scanners, some plain ones, and any other character XML allows. */
const char = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('<', '>', '&', '"', "'", ']', '[', '-', '?', '!', '/', '=', ' ', 'a', 'é', '中', '😀', ';', '#') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => [...c].every(isXmlChar)) },
);
const chars = (maxLength: number, ok: (s: string) => boolean = () => true): fc.Arbitrary<string> =>
  fc.array(char, { maxLength }).map((a) => a.join('')).filter(ok);

const nameStart = fc.constantFrom('a', 'b', 'z', 'D', '_', 'é', 'ж', '中');
const nameChar = fc.constantFrom('a', 'k', '0', '9', '-', '.', '_', ':', 'é', '·');
const xmlName = fc
  .tuple(nameStart, fc.array(nameChar, { maxLength: 5 }))
  .map(([s, r]) => s + r.join(''))
  .filter((n) => !/^xml/i.test(n));

/** Blanks where XML allows them (S), CRLF included. */
const blank = fc.array(fc.constantFrom(' ', '\t', '\n', '\r\n'), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
const maybeBlank = fc.option(blank, { nil: '' });

/** Each character written raw where it may be, else as an entity or a character reference chosen at random. */
function escaped(mustEscape: (c: string, before: string) => boolean): (value: string) => fc.Arbitrary<string> {
  const forms = (c: string): string[] => {
    const cp = c.codePointAt(0)!;
    const named: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };
    return [...(named[c] ? [named[c]] : []), `&#${cp};`, `&#x${cp.toString(16)};`, `&#x${cp.toString(16).toUpperCase()};`];
  };
  return (value) => {
    const cs = [...value];
    return fc.array(fc.nat(), { minLength: cs.length, maxLength: cs.length }).map((picks) => {
      let out = '';
      cs.forEach((c, k) => {
        const options = forms(c);
        const raw = !mustEscape(c, out);
        const pick = picks[k]! % (options.length + (raw ? 2 : 0));
        out += pick < options.length ? options[pick]! : c;
      });
      return out;
    });
  };
}

interface Attribute {
  name: string;
  value: string;
  raw: string;
  quote: string;
  before: string;
  aroundEq: [string, string];
}
const attribute = (name: string): fc.Arbitrary<Attribute> =>
  fc
    .record({ value: fc.oneof(chars(8), chars(3).map((s) => s + '\t\n\r')), quote: fc.constantFrom('"', "'"), before: blank, aroundEq: fc.tuple(maybeBlank, maybeBlank) })
    .chain((a) =>
      escaped((c) => c === '<' || c === '&' || c === a.quote || c === '\t' || c === '\n' || c === '\r')(a.value).map((raw) => ({ ...a, name, raw })),
    );
const attributes: fc.Arbitrary<Attribute[]> = fc
  .uniqueArray(xmlName, { maxLength: 4 })
  .chain((ns) => (ns.length ? fc.tuple(...ns.map(attribute)) : fc.constant([])).map((a): Attribute[] => [...a]));

type Node =
  | { kind: 'element'; name: string; attrs: Attribute[]; selfClosing: boolean; tagEnd: string; closeEnd: string; content: Node[] }
  | { kind: 'text'; raw: string; value: string }
  | { kind: 'markup'; text: string };

/** Text content: '<' and '&' always escaped, ']]>' never raw; no CR (a reader turns it into LF). */
const textNode = chars(10, (s) => !s.includes('\r')).chain((value) =>
  escaped((c, before) => c === '<' || c === '&' || (c === '>' && before.endsWith(']]')))(value).map((raw): Node => ({ kind: 'text', raw, value })),
);
const comment = chars(10, (s) => !s.includes('--') && !s.endsWith('-')).map((s) => `<!--${s}-->`);
const cdata = chars(10, (s) => !s.includes(']]>')).map((s) => `<![CDATA[${s}]]>`);
const pi = fc.tuple(xmlName, fc.option(fc.tuple(blank, chars(8, (s) => !s.includes('?>'))), { nil: undefined })).map(([t, c]) => `<?${t}${c ? c[0] + c[1] : ''}?>`);
const markup = fc.oneof(comment, cdata, pi).map((text): Node => ({ kind: 'markup', text }));

const { element } = fc.letrec<{ element: Node; node: Node }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, textNode, markup, tie('element')),
  element: fc
    .record({
      name: xmlName,
      attrs: attributes,
      selfClosing: fc.boolean(),
      tagEnd: maybeBlank,
      closeEnd: maybeBlank,
      content: fc.array(tie('node'), { maxLength: 4 }),
    })
    .map((e): Node => ({ kind: 'element', ...e, content: e.selfClosing ? [] : e.content })),
}));

/** A literal in either quote, of characters other than that quote (and, for AttValue, other than '<' and '&'). */
const literal = (forbid: string) =>
  fc.constantFrom('"', "'").chain((q) => chars(8, (s) => ![...q + forbid].some((c) => s.includes(c))).map((s) => q + s + q));
const declaration = fc.oneof(
  fc.tuple(xmlName, literal('%&')).map(([n, v]) => `<!ENTITY ${n} ${v}>`),
  fc.tuple(xmlName, literal('')).map(([n, v]) => `<!ENTITY ${n} SYSTEM ${v}>`),
  xmlName.map((n) => `<!ELEMENT ${n} ANY>`),
  fc.tuple(xmlName, xmlName, literal('<&')).map(([e, a, d]) => `<!ATTLIST ${e} ${a} CDATA ${d}>`),
  comment,
  pi,
  blank,
);
const doctype = (root: string) =>
  fc
    .tuple(
      fc.option(literal('').map((s) => ` SYSTEM ${s}`), { nil: '' }),
      fc.option(fc.array(declaration, { maxLength: 4 }).map((ds) => ` [${ds.join('')}]`), { nil: '' }),
      maybeBlank,
    )
    .map(([ext, subset, end]) => `<!DOCTYPE ${root}${ext}${subset}${end}>`);
const misc = fc.array(fc.oneof(comment, pi, blank), { maxLength: 3 }).map((a) => a.join(''));

interface Document {
  xml: string;
  root: Expected;
  hasDoctype: boolean;
}
interface Expected {
  name: string;
  start: number;
  openEnd: number;
  closeStart: number;
  end: number;
  selfClosing: boolean;
  line: number;
  endLine: number;
  attrs: { name: string; value: string; start: number; valueStart: number; valueEnd: number }[];
  children: Expected[];
  /** The decoded text when the content is text alone. */
  text?: string;
}

/** Appends an element to `out.xml` and returns what a reader must find in it (offsets in `out.xml`). */
function write(e: Extract<Node, { kind: 'element' }>, out: { xml: string }): Expected {
  const lineAt = (o: number) => out.xml.slice(0, o).split('\n').length;
  const start = out.xml.length;
  out.xml += `<${e.name}`;
  const attrs: Expected['attrs'] = [];
  for (const a of e.attrs) {
    out.xml += a.before;
    const aStart = out.xml.length;
    out.xml += `${a.name}${a.aroundEq[0]}=${a.aroundEq[1]}${a.quote}`;
    const valueStart = out.xml.length;
    out.xml += a.raw;
    attrs.push({ name: a.name, value: a.value, start: aStart, valueStart, valueEnd: out.xml.length });
    out.xml += a.quote;
  }
  out.xml += e.tagEnd + (e.selfClosing ? '/>' : '>');
  const openEnd = out.xml.length;
  const children: Expected[] = [];
  for (const n of e.content) {
    if (n.kind === 'element') children.push(write(n, out));
    else out.xml += n.kind === 'text' ? n.raw : n.text;
  }
  const closeStart = out.xml.length;
  if (!e.selfClosing) out.xml += `</${e.name}${e.closeEnd}>`;
  const end = out.xml.length;
  const texts = e.content.filter((n) => n.kind === 'text');
  const text = texts.length === e.content.length ? texts.map((t) => t.value).join('') : undefined;
  return { name: e.name, start, openEnd, closeStart, end, selfClosing: e.selfClosing, line: lineAt(start), endLine: lineAt(end - 1), attrs, children, ...(text !== undefined ? { text } : {}) };
}

const document: fc.Arbitrary<Document> = fc
  .record({ decl: fc.boolean(), before: misc, root: element, withDoctype: fc.boolean(), between: misc, after: misc })
  .chain((d) => (d.withDoctype ? doctype((d.root as { name: string }).name) : fc.constant('')).map((dt) => ({ ...d, dt })))
  .map((d) => {
    const out = { xml: `${d.decl ? '<?xml version="1.0" encoding="UTF-8"?>' : ''}${d.before}${d.dt}${d.between}` };
    const root = write(d.root as Extract<Node, { kind: 'element' }>, out);
    return { xml: out.xml + d.after, root, hasDoctype: d.dt !== '' };
  });

/** What the scanner read, in the shape of Expected (parents left out). */
function seen(xml: string, e: XmlElement, expected: Expected): Expected {
  const { name, start, openEnd, closeStart, end, selfClosing, line, endLine } = e;
  const attrs = e.attrs.map(({ name: n, value, start: s, valueStart, valueEnd }) => ({ name: n, value, start: s, valueStart, valueEnd }));
  const children = e.children.map((c, k) => seen(xml, c, expected.children[k] ?? expected));
  const text = expected.text !== undefined ? decodeXml(xml.slice(e.openEnd, e.closeStart)) : undefined;
  return { name, start, openEnd, closeStart, end, selfClosing, line, endLine, attrs, children, ...(text !== undefined ? { text } : {}) };
}

/** What must hold of any reading, whatever the text: every offset points at what it says. */
function assertPointsRight(xml: string, root: XmlElement): void {
  for (const e of elementsIn(root)) {
    assert.ok(0 <= e.start && e.start < e.openEnd && e.openEnd <= e.closeStart && e.closeStart < e.end + (e.selfClosing ? 1 : 0) && e.end <= xml.length);
    assert.ok(xml.startsWith(`<${e.name}`, e.start));
    if (e.selfClosing) assert.equal(xml.slice(e.openEnd - 2, e.openEnd), '/>');
    else {
      assert.equal(xml[e.openEnd - 1], '>');
      assert.match(xml.slice(e.closeStart, e.end), new RegExp(`^</${e.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*>$`));
    }
    assert.equal(e.line, xml.slice(0, e.start).split('\n').length);
    let last = e.openEnd;
    for (const c of e.children) {
      assert.equal(c.parent, e);
      assert.ok(c.start >= last && c.end <= e.closeStart, 'children in order, inside their parent');
      last = c.end;
    }
    for (const a of e.attrs) {
      assert.ok(e.start < a.start && a.valueEnd < e.openEnd);
      assert.ok(xml.startsWith(a.name, a.start));
      assert.ok(`"'`.includes(xml[a.valueEnd]!) && xml[a.valueStart - 1] === xml[a.valueEnd]);
      assert.equal(a.value, decodeXml(xml.slice(a.valueStart, a.valueEnd)));
    }
  }
}

/** Throws what scanXml throws, but anything other than an XmlError fails the property. */
function scanOrXmlError(xml: string): XmlElement | undefined {
  try {
    return scanXml(xml);
  } catch (e) {
    if (e instanceof XmlError) return undefined;
    throw e;
  }
}

describe('XML scanner, generated inputs', function () {
  // Thousands of documents each: seconds on an idle machine, more on a loaded one.
  this.timeout(60_000);

  it(`reads a well-formed document as the elements, attributes, offsets and lines it was written with (${RUNS} documents)`, () => {
    fc.assert(
      fc.property(document, ({ xml, root }) => {
        const got = scanXml(xml);
        assert.deepEqual(seen(xml, got, root), root, JSON.stringify(xml));
        for (const e of elementsIn(got)) if (e.children.length === 0 && !e.selfClosing) assert.equal(textOf(xml, e), decodeXml(xml.slice(e.openEnd, e.closeStart)).trim());
      }),
      { numRuns: RUNS },
    );
  });

  it(`scanWellFormedXml reads a well-formed document without DOCTYPE as scanXml does (${RUNS} documents)`, () => {
    fc.assert(
      fc.property(
        document.filter((d) => !d.hasDoctype),
        ({ xml, root }) => {
          assert.deepEqual(seen(xml, scanWellFormedXml(xml), root), root, JSON.stringify(xml));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`damaged documents give an XmlError or a reading whose offsets point right (${RUNS} documents, each cut, spliced or sprinkled)`, () => {
    const damaged = document.chain(({ xml }) =>
      fc.oneof(
        fc.nat(xml.length).map((k) => xml.slice(0, k)),
        fc.tuple(fc.nat(xml.length), fc.nat(xml.length)).map(([a, b]) => xml.slice(0, Math.min(a, b)) + xml.slice(Math.max(a, b))),
        fc
          .array(fc.tuple(fc.nat(xml.length), fc.constantFrom('<', '>', '/', '"', "'", '=', '!', '?', '[', ']', '-', '&#x110000;', '&#99999999999;', ' ')), { minLength: 1, maxLength: 4 })
          .map((ins) => ins.sort((p, q) => q[0] - p[0]).reduce((s, [k, c]) => s.slice(0, k) + c + s.slice(k), xml)),
      ),
    );
    fc.assert(
      fc.property(damaged, (xml) => {
        const root = scanOrXmlError(xml);
        if (root) assertPointsRight(xml, root);
        assert.equal(tryScanXml(xml) === undefined, root === undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it(`arbitrary text gives an XmlError or a reading whose offsets point right (${RUNS * 5} texts)`, () => {
    const text = fc.oneof(chars(40), fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.constantFrom('<a', '>', '</a>', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '<!DOCTYPE', '[', ']', ' b="', "'", '"', '/>', '&#1114112;', '&amp;'), { maxLength: 12 }).map((a) => a.join('')));
    fc.assert(
      fc.property(text, (xml) => {
        const root = scanOrXmlError(xml);
        if (root) assertPointsRight(xml, root);
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it(`decodeXml reads back what encodeXml wrote, and throws nothing but an XmlError (${RUNS * 5} strings each)`, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
        const e = encodeXml(s);
        assert.ok(!/[<>"']/.test(e) && !/&(?!(amp|lt|gt|quot|apos);)/.test(e));
        assert.equal(decodeXml(e), s);
      }),
      { numRuns: RUNS * 5 },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('&', '#', 'x', ';', '1', 'f', 'lt', 'amp'), fc.string({ maxLength: 2 })), { maxLength: 12 }), (parts) => {
        try {
          decodeXml(parts.join(''));
        } catch (e) {
          if (!(e instanceof XmlError)) throw e;
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });
});
