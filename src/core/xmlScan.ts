/**
 * The one reader of domain XML (and of libvirt's RelaxNG schemas): a small scanner that keeps positions. Each element
 * has its offsets (start tag, end tag), its lines, its attributes with the offsets of their raw values, and its
 * children, so that edits can splice the original text and leave every other byte as it was (CRLF, comments,
 * quoting, order), and so that validation can cut an element out and place a problem on its line or attribute.
 * Comments, CDATA sections, processing instructions and the DOCTYPE (internal subset included) are skipped. Pure.
 */
import { XMLValidator } from 'fast-xml-parser';
import { XmlError } from './errors';

export interface XmlAttribute {
  readonly name: string;
  /** The value, entities and character references decoded. */
  readonly value: string;
  /** Offset of the attribute's name. */
  readonly start: number;
  /** Offsets of the raw value, inside the quotes (the closing quote is at `valueEnd`). */
  readonly valueStart: number;
  readonly valueEnd: number;
}

export interface XmlElement {
  readonly name: string;
  /** Offset of the start tag's '<'. */
  readonly start: number;
  /** Offset just after the start tag's '>' (after '/>' for an empty-element tag). */
  readonly openEnd: number;
  /** Offset of the end tag's '<' (== openEnd for an empty-element tag <x/>). */
  readonly closeStart: number;
  /** Offset just after the element (after '/>' or '</x>'). */
  readonly end: number;
  readonly selfClosing: boolean;
  /** 1-based line of the start tag's '<'. */
  readonly line: number;
  /** 1-based line where the element ends. */
  readonly endLine: number;
  readonly attrs: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  readonly parent: XmlElement | undefined;
}

type Open = { -readonly [K in keyof XmlElement]: XmlElement[K] } & { children: XmlElement[] };

/**
 * Reads the elements of `xml` with their positions. Throws XmlError when the text cannot be read as elements: a
 * comment, CDATA section, processing instruction, DOCTYPE or tag left open, an end tag that does not close the
 * element open, unreadable attributes, or no root element. It does not check everything well-formedness asks (names,
 * characters, entities): scanWellFormedXml does. Elements after the root element are read but not kept.
 */
export function scanXml(xml: string): XmlElement {
  const lineOf = lineIndex(xml);
  let root: XmlElement | undefined;
  const stack: Open[] = [];
  let i = 0;
  for (let lt = xml.indexOf('<'); lt >= 0; lt = xml.indexOf('<', i)) {
    if (xml.startsWith('<!--', lt)) i = past(xml, '-->', lt + 4, lt);
    else if (xml.startsWith('<![CDATA[', lt)) i = past(xml, ']]>', lt + 9, lt);
    else if (xml.startsWith('<?', lt)) i = past(xml, '?>', lt + 2, lt);
    else if (xml.startsWith('<!', lt)) i = skipDoctype(xml, lt, lineOf);
    else if (xml[lt + 1] === '/') {
      i = past(xml, '>', lt, lt);
      const el = stack.pop();
      const name = xml.slice(lt + 2, i - 1).trimEnd();
      if (!el || el.name !== name) {
        throw new XmlError(`The XML is not well-formed: </${name}> does not close ${el ? `<${el.name}>` : 'an element'} (line ${lineOf(lt)}).`);
      }
      el.closeStart = lt;
      el.end = i;
      el.endLine = lineOf(i - 1);
    } else {
      const parent = stack[stack.length - 1];
      const el = readStartTag(xml, lt, parent, lineOf);
      if (parent) parent.children.push(el);
      else root ??= el;
      if (!el.selfClosing) stack.push(el);
      i = el.openEnd;
    }
  }
  const open = stack.pop();
  if (open) throw new XmlError(`The XML is not well-formed: <${open.name}> (line ${open.line}) is not closed.`);
  if (!root) throw new XmlError('The XML has no root element.');
  return root;
}

/** scanXml after a full well-formedness check (fast-xml-parser's validator): for XML that is about to be changed. */
export function scanWellFormedXml(xml: string): XmlElement {
  const v = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (v !== true) throw new XmlError(`The XML is not well-formed: ${v.err.msg} (line ${v.err.line}).`);
  return scanXml(xml);
}

/** scanXml's root, or undefined when the text cannot be read (for text that may be anything, like an open editor's). */
export function tryScanXml(xml: string): XmlElement | undefined {
  try {
    return scanXml(xml);
  } catch (e) {
    if (e instanceof XmlError) return undefined;
    throw e;
  }
}

/** The 1-based line of an offset. */
function lineIndex(xml: string): (offset: number) => number {
  const starts: number[] = [0];
  for (let i = xml.indexOf('\n'); i >= 0; i = xml.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Offset just after `token`, searched from `from`; throws when the construct begun at `lt` never ends. */
function past(xml: string, token: string, from: number, lt: number): number {
  const j = xml.indexOf(token, from);
  if (j < 0) throw new XmlError(`The XML is not well-formed: '${xml.slice(lt, lt + 9)}' (offset ${lt}) is not closed by '${token}'.`);
  return j + token.length;
}

/**
 * Offset just after the declaration begun at `lt` (a DOCTYPE with its internal subset). Quoted literals, comments
 * and processing instructions are skipped whole: any of them may hold '[', ']', '<' or '>'.
 */
function skipDoctype(xml: string, lt: number, lineOf: (o: number) => number): number {
  const unclosed = `The XML is not well-formed: the declaration on line ${lineOf(lt)} is not closed.`;
  /** Offset of the last character of `token`, searched from `from`. */
  const lastOf = (token: string, from: number): number => {
    const k = xml.indexOf(token, from);
    if (k < 0) throw new XmlError(unclosed);
    return k + token.length - 1;
  };
  let depth = 0;
  for (let j = lt + 2; j < xml.length; j++) {
    const c = xml[j];
    if (c === '"' || c === "'") j = lastOf(c, j + 1);
    else if (xml.startsWith('<!--', j)) j = lastOf('-->', j + 4);
    else if (xml.startsWith('<?', j)) j = lastOf('?>', j + 2);
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) return j + 1;
  }
  throw new XmlError(unclosed);
}

const NAME = /<([^\s/>]+)/y;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(["'])/y;

function readStartTag(xml: string, lt: number, parent: XmlElement | undefined, lineOf: (o: number) => number): Open {
  NAME.lastIndex = lt;
  const name = NAME.exec(xml)?.[1];
  if (!name) throw new XmlError(`The XML is not well-formed: a '<' that starts no tag (line ${lineOf(lt)}).`);
  let j = lt + 1 + name.length;
  const attrs: XmlAttribute[] = [];
  for (;;) {
    while (/\s/.test(xml[j] ?? '')) j++;
    if (xml[j] === '>' || xml.startsWith('/>', j)) break;
    ATTRIBUTE.lastIndex = j;
    const m = ATTRIBUTE.exec(xml);
    const valueStart = ATTRIBUTE.lastIndex;
    const valueEnd = m ? xml.indexOf(m[2]!, valueStart) : -1;
    if (!m || valueEnd < 0) throw new XmlError(`Cannot read the attributes of <${name}> (line ${lineOf(lt)}).`);
    attrs.push({ name: m[1]!, value: decodeXml(xml.slice(valueStart, valueEnd)), start: j, valueStart, valueEnd });
    j = valueEnd + 1;
  }
  const selfClosing = xml[j] === '/';
  const openEnd = selfClosing ? j + 2 : j + 1;
  const line = lineOf(lt);
  const endLine = selfClosing ? lineOf(openEnd - 1) : line;
  return { name, start: lt, openEnd, closeStart: openEnd, end: openEnd, selfClosing, line, endLine, attrs, children: [], parent };
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Text with the predefined entities and character references decoded (other entities are left as they are). Throws
 * XmlError for a reference beyond Unicode (rather than a RangeError: the XML is not well-formed).
 */
export function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (!e.startsWith('#')) return ENTITIES[e] ?? m;
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    if (code > 0x10ffff) throw new XmlError(`The XML is not well-formed: ${m} is not a character.`);
    return String.fromCodePoint(code);
  });
}

/** Text escaped for an element's content or an attribute value (either quote). */
export function encodeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `el` and every element inside it, in document order. */
export function elementsIn(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const stack = [el];
  while (stack.length) {
    const e = stack.pop()!;
    out.push(e);
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]!);
  }
  return out;
}

/** Child elements named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The first child element named `name`. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** The attribute named `name`. */
export function attr(el: XmlElement | undefined, name: string): XmlAttribute | undefined {
  return el?.attrs.find((a) => a.name === name);
}

/** Decoded text content of a simple element, trimmed. */
export function textOf(xml: string, el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  return decodeXml(xml.slice(el.openEnd, el.closeStart)).trim();
}
