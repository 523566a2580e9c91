/**
 * The text a problem is about, as offsets into the validated text: the value of an attribute whose value is wrong,
 * the whole attribute when it is unknown, the text of an element whose value is wrong (`abc` in `<vcpu>abc</vcpu>`),
 * else the start tag of the element at fault. Pure: the editor turns the offsets into a range.
 */
import { scanXml, walk, type ScannedElement } from './scan';
import type { XmlProblem } from './select';

export interface Span {
  /** Offset of the first character at fault. */
  readonly start: number;
  /** Offset just after the last one. */
  readonly end: number;
}

/** Where `p` lies in `text` (the text that was validated); undefined when no element of its line fits. */
export function problemSpan(text: string, p: XmlProblem, root: ScannedElement | undefined = scanXml(text)): Span | undefined {
  if (!root || p.message.startsWith('XML syntax error')) return undefined;
  const el = elementOf(root, p);
  if (!el) return undefined;
  const attr = attributeOf(p);
  if (attr) {
    const a = attributeSpan(el, attr);
    if (a) return /unknown attribute|Invalid attribute/.test(`${p.message} ${p.raw}`) ? a.whole : a.value;
  }
  if (isAboutValue(p) && el.children.length === 0) {
    const v = textSpan(text, el);
    if (v) return v;
  }
  return { start: el.start, end: startTagEnd(text, el) };
}

/** Computes the spans of many problems of one text with one scan. */
export function problemSpans(text: string, problems: readonly XmlProblem[]): (Span | undefined)[] {
  const root = scanXml(text);
  return problems.map((p) => problemSpan(text, p, root));
}

/** The element a problem names (its message starts with `<name>`, or libxml2 names it) among those on its line. */
function elementOf(root: ScannedElement, p: XmlProblem): ScannedElement | undefined {
  const onLine = [...walk(root)].filter((e) => e.line === p.line);
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

function attributeSpan(el: ScannedElement, name: string): { whole: Span; value: Span } | undefined {
  const tagStart = el.start + 1 + el.name.length;
  const re = new RegExp(`(^|\\s)(${escape(name)}\\s*=\\s*)("([^"]*)"|'([^']*)')`, 'g');
  const m = re.exec(el.attributes);
  if (!m) return undefined;
  const whole = tagStart + m.index + m[1]!.length;
  const valueStart = whole + m[2]!.length + 1;
  const valueLength = (m[4] ?? m[5]!).length;
  return {
    whole: { start: whole, end: valueStart + valueLength + 1 },
    // An empty value: the quotes, so that something is marked.
    value: valueLength ? { start: valueStart, end: valueStart + valueLength } : { start: valueStart - 1, end: valueStart + 1 },
  };
}

/** The element's text between its tags, without surrounding blanks; undefined when it has none. */
function textSpan(text: string, el: ScannedElement): Span | undefined {
  const open = startTagEnd(text, el);
  if (text[open - 2] === '/') return undefined;
  const close = text.lastIndexOf('</', el.end);
  if (close < open) return undefined;
  const inner = text.slice(open, close);
  const lead = inner.length - inner.trimStart().length;
  const trimmed = inner.trim();
  if (!trimmed) return undefined;
  return { start: open + lead, end: open + lead + trimmed.length };
}

function startTagEnd(text: string, el: ScannedElement): number {
  const m = /^<(?:[^>"']|"[^"]*"|'[^']*')*>/.exec(text.slice(el.start, el.end));
  return el.start + (m ? m[0].length : el.name.length + 1);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
