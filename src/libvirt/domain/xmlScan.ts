/**
 * A small XML scanner that records byte positions (string offsets) of elements, attributes and text, so edits can
 * splice the original text and keep everything else byte-identical (CRLF, comments, attribute quoting, order).
 * Well-formedness is checked first with fast-xml-parser's validator.
 */
import { XMLValidator } from 'fast-xml-parser';
import { XmlError } from '../../core/errors';

export interface XAttr {
  readonly name: string;
  /** Decoded value. */
  readonly value: string;
  /** Offsets of the raw value (inside the quotes). */
  readonly valueStart: number;
  readonly valueEnd: number;
}

export interface XElement {
  readonly name: string;
  /** Offset of '<'. */
  readonly start: number;
  /** Offset just after the start tag's '>'. */
  readonly openEnd: number;
  /** Offset of the close tag's '<' (== openEnd for an empty element <x/>). */
  closeStart: number;
  /** Offset just after the element (after '/>' or '</x>'). */
  end: number;
  readonly selfClosing: boolean;
  readonly attrs: readonly XAttr[];
  readonly children: XElement[];
  readonly parent: XElement | undefined;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

export function encodeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Parses `xml` into elements with positions; throws XmlError when it is not well-formed. */
export function scanXml(xml: string): XElement {
  const v = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (v !== true) throw new XmlError(`The XML is not well-formed: ${v.err.msg} (line ${v.err.line}).`);
  let root: XElement | undefined;
  const stack: XElement[] = [];
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      i = xml.indexOf('-->', lt + 4) + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      i = xml.indexOf(']]>', lt + 9) + 3;
    } else if (xml.startsWith('<?', lt)) {
      i = xml.indexOf('?>', lt + 2) + 2;
    } else if (xml.startsWith('<!', lt)) {
      i = skipDoctype(xml, lt);
    } else if (xml[lt + 1] === '/') {
      const gt = xml.indexOf('>', lt);
      const el = stack.pop();
      if (el) {
        el.closeStart = lt;
        el.end = gt + 1;
      }
      i = gt + 1;
    } else {
      const el = readStartTag(xml, lt, stack[stack.length - 1]);
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else root ??= el;
      if (!el.selfClosing) stack.push(el);
      i = el.openEnd;
    }
    if (i <= lt) throw new XmlError('The XML is not well-formed.');
  }
  if (!root) throw new XmlError('The XML has no root element.');
  return root;
}

function skipDoctype(xml: string, lt: number): number {
  let depth = 0;
  for (let j = lt; j < xml.length; j++) {
    if (xml[j] === '[') depth++;
    else if (xml[j] === ']') depth--;
    else if (xml[j] === '>' && depth <= 0) return j + 1;
  }
  return xml.length;
}

function readStartTag(xml: string, lt: number, parent: XElement | undefined): XElement {
  const nameM = /^<([^\s/>]+)/.exec(xml.slice(lt, lt + 256));
  const name = nameM![1]!;
  let j = lt + 1 + name.length;
  const attrs: XAttr[] = [];
  const attrRe = /\s*([^\s=/>]+)\s*=\s*(["'])/y;
  for (;;) {
    while (/\s/.test(xml[j] ?? '')) j++;
    if (xml[j] === '>' || xml.startsWith('/>', j)) break;
    attrRe.lastIndex = j;
    const m = attrRe.exec(xml);
    if (!m) throw new XmlError(`Cannot read the attributes of <${name}>.`);
    const valueStart = attrRe.lastIndex;
    const valueEnd = xml.indexOf(m[2]!, valueStart);
    attrs.push({ name: m[1]!, value: decodeXml(xml.slice(valueStart, valueEnd)), valueStart, valueEnd });
    j = valueEnd + 1;
  }
  const selfClosing = xml[j] === '/';
  const openEnd = selfClosing ? j + 2 : j + 1;
  return { name, start: lt, openEnd, closeStart: openEnd, end: openEnd, selfClosing, attrs, children: [], parent };
}

/** Child elements named `name`. */
export function childrenNamed(el: XElement, name: string): XElement[] {
  return el.children.filter((c) => c.name === name);
}

export function child(el: XElement | undefined, name: string): XElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function attr(el: XElement | undefined, name: string): XAttr | undefined {
  return el?.attrs.find((a) => a.name === name);
}

/** Decoded text content of a simple element. */
export function textOf(xml: string, el: XElement | undefined): string | undefined {
  if (!el) return undefined;
  return decodeXml(xml.slice(el.openEnd, el.closeStart)).trim();
}
