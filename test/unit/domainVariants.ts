/**
 * Documents made by varying a valid domain, one change each, for checks that must hold on many documents: every
 * element removed, duplicated, given an unknown child or attribute; every attribute removed or given a wrong value;
 * every text changed. Each says which element it changed, so that a check can ask where a problem was reported.
 */
import { elementsIn, scanXml, type XmlElement } from '../../src/core/xmlScan';

export interface Variant {
  readonly what: string;
  readonly text: string;
  /** The element changed (for a removal: its parent), with its lines in `text`. */
  readonly line: number;
  readonly endLine: number;
}

const linesIn = (t: string): number => t.split('\n').length - 1;

export function variants(base: string): Variant[] {
  const root = scanXml(base);
  const out: Variant[] = [];
  const add = (what: string, start: number, end: number, by: string, el: XmlElement): void => {
    const text = base.slice(0, start) + by + base.slice(end);
    const grow = linesIn(by) - linesIn(base.slice(start, end));
    out.push({ what, text, line: el.line, endLine: el.endLine + grow });
  };
  for (const el of elementsIn(root)) {
    const source = base.slice(el.start, el.end);
    const startTag = base.slice(el.start, el.openEnd);
    const { selfClosing, parent } = el;
    if (parent) {
      add(`remove <${el.name}> (line ${el.line})`, el.start, el.end, '', parent);
      add(`duplicate <${el.name}> (line ${el.line})`, el.end, el.end, source, parent);
    }
    const withChild = selfClosing ? `${startTag.slice(0, -2)}><bogus/></${el.name}>` : `${startTag}<bogus/>`;
    add(`unknown child in <${el.name}> (line ${el.line})`, el.start, el.start + startTag.length, withChild, el);
    add(`unknown attribute on <${el.name}> (line ${el.line})`, el.start, el.start + el.name.length + 1, `<${el.name} bogus='1'`, el);
    for (const a of el.attrs) {
      const value = base.slice(a.valueStart, a.valueEnd);
      add(`wrong ${a.name} on <${el.name}> (line ${el.line})`, a.start, a.valueEnd + 1, `${a.name}='${value}x'`, el);
      add(`no ${a.name} on <${el.name}> (line ${el.line})`, a.start, a.valueEnd + 1, '', el);
    }
    const inner = /^<(?:[^>"']|"[^"]*"|'[^']*')*>([^<]+)<\//.exec(source);
    if (el.children.length === 0 && inner && inner[1]!.trim()) {
      const at = el.start + inner[0].length - 2 - inner[1]!.length;
      add(`other text in <${el.name}> (line ${el.line})`, at, at + inner[1]!.length, `${inner[1]!.trim()}x`, el);
    }
  }
  return out;
}
