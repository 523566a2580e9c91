/**
 * From libxml2's messages about one text (a document or a fragment), the ones worth showing, each on the line of
 * the element it is about.
 */
import { readable, isGeneric, type RawMessage } from './messages';
import { elementsIn, type XmlElement } from '../../core/xmlScan';

export interface XmlProblem {
  /** 1-based line of the element at fault. */
  readonly line: number;
  /** A readable message. */
  readonly message: string;
  /** libxml2's own wording (as virt-xml-validate prints it). */
  readonly raw: string;
}

export interface Pinned {
  readonly line: number;
  readonly m: RawMessage;
  /** The element the message is about, when found. */
  readonly el?: XmlElement;
}

export const problem = (line: number, m: RawMessage): XmlProblem => ({ line, message: readable(m), raw: m.text });

export const within = (line: number, el: XmlElement): boolean => line >= el.line && line <= el.endLine;

/**
 * The precise messages, and "Extra element X in interleave" only when nothing precise lies inside X; the rest
 * (libxml2 repeating the failure at every enclosing level) only when there is nothing else.
 */
export function select(messages: Pinned[]): XmlProblem[] {
  // "Type T doesn't allow value 'v'" says more than the "Error validating datatype T" that follows it.
  const typed = new Set(messages.map(({ line, m }) => `${line} ${/^Type (\S+) doesn't allow value/.exec(m.text)?.[1]}`));
  const specific = messages.filter(
    ({ line, m }) => !isGeneric(m.text) && !typed.has(`${line} ${/^Error validating datatype (\S+)$/.exec(m.text)?.[1] ?? ''}`),
  );
  const lines = specific.map((s) => s.line);
  const extras = messages.filter(
    ({ m, el }) => /^Extra element \S+ in interleave$/.test(m.text) && !(el && lines.some((l) => within(l, el))),
  );
  // The innermost ones: an element is invalid because of the invalid element inside it.
  const extra = extras.filter(
    ({ el }) => !el || !extras.some((o) => o.el && o.el !== el && o.el.start > el.start && o.el.end <= el.end),
  );
  const chosen = [...specific, ...extra].map(({ line, m }) => problem(line, m));
  // "Element P failed to validate content" reported at another element E: validation of P got stuck at E.
  for (const { line, m } of messages) {
    const p = /^Element (\S+) failed to validate content$/.exec(m.text)?.[1];
    if (!p || !m.element || m.element === p || chosen.some((c) => c.line === line)) continue;
    chosen.push({ line, message: `<${m.element}> is not allowed here, or what precedes it in <${p}> is invalid`, raw: m.text });
  }
  if (chosen.length === 0 && messages[0]) chosen.push(problem(messages[0].line, messages[0].m));
  return chosen;
}

/**
 * libxml2 reports "Extra element X in interleave" without a line, just before the message about X's parent:
 * place it on the line of that parent's child X.
 */
export function pinLines(messages: readonly RawMessage[], root: XmlElement): Pinned[] {
  const all = elementsIn(root);
  return messages.map((m, i) => {
    const x = /^Extra element (\S+) in interleave$/.exec(m.text)?.[1];
    if (m.line !== undefined && !x) return { line: m.line, m };
    const next = messages.slice(i + 1).find((n) => n.line !== undefined);
    const at = next && all.find((e) => e.line === next.line && (!next.element || e.name === next.element));
    // X is a child of the element reported next, that element itself, or its sibling (validation stopped there).
    const sibling = at?.parent?.children.find((c) => c.name === x);
    const el = x ? (at?.children.find((c) => c.name === x) ?? (at?.name === x ? at : sibling)) : undefined;
    return { line: el?.line ?? m.line ?? next?.line ?? root.line, m, ...(el ? { el } : {}) };
  });
}
