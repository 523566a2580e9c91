/**
 * A small scanner for well-formed XML that keeps positions: which element starts on which line, where its text
 * begins and ends. Validation uses it to cut <devices> children into fragments and to place line-less messages.
 */

export interface ScannedElement {
  readonly name: string;
  /** 1-based line of the start tag's '<'. */
  readonly line: number;
  /** Offset of the start tag's '<'. */
  readonly start: number;
  /** Offset just after the end tag (or the empty-element tag). */
  end: number;
  /** 1-based line where the element ends. */
  endLine: number;
  /** The start tag's attributes text (for namespace declarations). */
  readonly attributes: string;
  readonly children: ScannedElement[];
}

/** The root element, or undefined when the text has none or is not well-formed enough to scan. */
export function scanXml(text: string): ScannedElement | undefined {
  const lineStarts: number[] = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const stack: ScannedElement[] = [];
  let root: ScannedElement | undefined;
  let i = 0;
  while ((i = text.indexOf('<', i)) >= 0) {
    if (text.startsWith('<!--', i)) i = after(text, '-->', i);
    else if (text.startsWith('<![CDATA[', i)) i = after(text, ']]>', i);
    else if (text.startsWith('<?', i)) i = after(text, '?>', i);
    else if (text.startsWith('<!', i)) i = after(text, '>', i);
    else if (text[i + 1] === '/') {
      const close = after(text, '>', i);
      const el = stack.pop();
      if (!el) return undefined;
      el.end = close;
      el.endLine = lineOf(close - 1);
      i = close;
    } else {
      const close = tagEnd(text, i);
      if (close < 0) return undefined;
      const m = /^<([^\s/>]+)([\s\S]*?)(\/?)>$/.exec(text.slice(i, close));
      if (!m) return undefined;
      const el: ScannedElement = {
        name: m[1]!,
        line: lineOf(i),
        start: i,
        end: close,
        endLine: lineOf(close - 1),
        attributes: m[2]!,
        children: [],
      };
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (!root) root = el;
      if (m[3] !== '/') stack.push(el);
      i = close;
    }
    if (i < 0) return undefined;
  }
  return stack.length ? undefined : root;
}

function after(text: string, token: string, from: number): number {
  const j = text.indexOf(token, from);
  return j < 0 ? -1 : j + token.length;
}

/** Offset after the '>' closing a start tag, skipping quoted attribute values. */
function tagEnd(text: string, from: number): number {
  let quote = '';
  for (let j = from + 1; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return j + 1;
  }
  return -1;
}

/** Every element of the tree, depth first. */
export function* walk(el: ScannedElement): Generator<ScannedElement> {
  yield el;
  for (const c of el.children) yield* walk(c);
}
