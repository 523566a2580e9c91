/**
 * Documents made by varying a valid domain, one change each, for checks that must hold on many documents: every
 * element removed, duplicated, given an unknown child or attribute; every attribute removed or given a wrong value;
 * every text changed. Each says which element it changed, so that a check can ask where a problem was reported.
 */
import { scanXml, walk, type ScannedElement } from '../../src/validation/scan';

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
  if (!root) throw new Error('the base document is not well-formed');
  const out: Variant[] = [];
  const parents = new Map<ScannedElement, ScannedElement>();
  for (const el of walk(root)) for (const c of el.children) parents.set(c, el);
  const add = (what: string, start: number, end: number, by: string, el: ScannedElement): void => {
    const text = base.slice(0, start) + by + base.slice(end);
    const grow = linesIn(by) - linesIn(base.slice(start, end));
    out.push({ what, text, line: el.line, endLine: el.endLine + grow });
  };
  for (const el of walk(root)) {
    const source = base.slice(el.start, el.end);
    const startTag = /^<(?:[^>"']|"[^"]*"|'[^']*')*>/.exec(source)![0];
    const selfClosing = startTag.endsWith('/>');
    const parent = parents.get(el);
    if (parent) {
      add(`remove <${el.name}> (line ${el.line})`, el.start, el.end, '', parent);
      add(`duplicate <${el.name}> (line ${el.line})`, el.end, el.end, source, parent);
    }
    const withChild = selfClosing ? `${startTag.slice(0, -2)}><bogus/></${el.name}>` : `${startTag}<bogus/>`;
    add(`unknown child in <${el.name}> (line ${el.line})`, el.start, el.start + startTag.length, withChild, el);
    add(`unknown attribute on <${el.name}> (line ${el.line})`, el.start, el.start + el.name.length + 1, `<${el.name} bogus='1'`, el);
    for (const a of el.attributes.matchAll(/([^\s=]+)\s*=\s*('[^']*'|"[^"]*")/g)) {
      const at = el.start + 1 + el.name.length + a.index;
      const value = a[2]!.slice(1, -1);
      add(`wrong ${a[1]} on <${el.name}> (line ${el.line})`, at, at + a[0].length, `${a[1]}='${value}x'`, el);
      add(`no ${a[1]} on <${el.name}> (line ${el.line})`, at, at + a[0].length, '', el);
    }
    const inner = /^<(?:[^>"']|"[^"]*"|'[^']*')*>([^<]+)<\//.exec(source);
    if (el.children.length === 0 && inner && inner[1]!.trim()) {
      const at = el.start + inner[0].length - 2 - inner[1]!.length;
      add(`other text in <${el.name}> (line ${el.line})`, at, at + inner[1]!.length, `${inner[1]!.trim()}x`, el);
    }
  }
  return out;
}
