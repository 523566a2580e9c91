/**
 * The text a problem is about, as offsets into the validated text: the value of an attribute whose value is wrong,
 * the whole attribute when it is unknown, the text of an element whose value is wrong (`abc` in `<vcpu>abc</vcpu>`),
 * else the start tag of the element at fault. Pure: the editor turns the offsets into a range.
 */
import { attr, elementsIn, tryScanXml, type XmlElement } from '../../core/xmlScan';
import type { XmlProblem } from './select';

export interface Span {
  /** Offset of the first character at fault. */
  readonly start: number;
  /** Offset just after the last one. */
  readonly end: number;
}

/** Where `p` lies in `text` (the text that was validated); undefined when no element of its line fits. */
export function problemSpan(text: string, p: XmlProblem, root: XmlElement | undefined = tryScanXml(text)): Span | undefined {
  if (!root || p.message.startsWith('XML syntax error')) return undefined;
  const el = elementOf(root, p);
  if (!el) return undefined;
  const name = attributeOf(p);
  if (name) {
    const a = attributeSpan(el, name);
    if (a) return /unknown attribute|Invalid attribute/.test(`${p.message} ${p.raw}`) ? a.whole : a.value;
  }
  if (isAboutValue(p) && el.children.length === 0) {
    const v = textSpan(text, el);
    if (v) return v;
  }
  return { start: el.start, end: el.openEnd };
}

/** Computes the spans of many problems of one text with one scan. */
export function problemSpans(text: string, problems: readonly XmlProblem[]): (Span | undefined)[] {
  const root = tryScanXml(text);
  return problems.map((p) => problemSpan(text, p, root));
}

/** The element a problem names (its message starts with `<name>`, or libxml2 names it) among those on its line. */
function elementOf(root: XmlElement, p: XmlProblem): XmlElement | undefined {
  const onLine = elementsIn(root).filter((e) => e.line === p.line);
  const named =
    /^<([^>\s]+)>/.exec(p.message)?.[1] ??
    /for element (\S+)$/.exec(p.raw)?.[1] ??
    /^Element (\S+) /.exec(p.raw)?.[1];
  const byName = named ? onLine.filter((e) => e.name === named) : [];
  // The innermost: the last one of the line in document order.
  return byName.at(-1) ?? onLine.at(-1);
}

function attributeOf(p: XmlProblem): string | undefined {
  return (
    /^<[^>\s]+>: ([^\s=']+)='/.exec(p.message)?.[1] ??
    /unknown attribute '([^']+)'/.exec(p.message)?.[1] ??
    /attribute '([^']+)'/.exec(p.message)?.[1] ??
    /^Invalid attribute (\S+) for element/.exec(p.raw)?.[1]
  );
}

/** Messages about an element's own text (its value), as messages.ts and locate.ts word them. */
function isAboutValue(p: XmlProblem): boolean {
  return /: '.*' is not (a valid|allowed)|: invalid value$|the value (does not have|is not)|its value/.test(p.message);
}

function attributeSpan(el: XmlElement, name: string): { whole: Span; value: Span } | undefined {
  const a = attr(el, name);
  if (!a) return undefined;
  const { valueStart, valueEnd } = a;
  return {
    whole: { start: a.start, end: valueEnd + 1 },
    // An empty value: the quotes, so that something is marked.
    value: valueEnd > valueStart ? { start: valueStart, end: valueEnd } : { start: valueStart - 1, end: valueEnd + 1 },
  };
}

/** The element's text between its tags, without surrounding blanks; undefined when it has none. */
function textSpan(text: string, el: XmlElement): Span | undefined {
  if (el.selfClosing) return undefined;
  const open = el.openEnd;
  const inner = text.slice(open, el.closeStart);
  const lead = inner.length - inner.trimStart().length;
  const trimmed = inner.trim();
  if (!trimmed) return undefined;
  return { start: open + lead, end: open + lead + trimmed.length };
}
