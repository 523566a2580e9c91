/**
 * Places each problem of an invalid domain on the element at fault. libxml2 loses detail inside <choice> and
 * <interleave> (most of libvirt's schema): it says "<os> is invalid" for a bad <boot> in it, or that a <disk> lacks
 * its <target> when it holds an unknown element. So, from the root down, each child of an invalid element is
 * validated alone against each definition the schema allows for it there (see schema.ts), at its true line numbers:
 * a child no definition accepts is descended into; an element whose children all pass is itself at fault, and is
 * reported with what the schema says of its attributes or, failing that, with libxml2's message about it alone.
 */
import { SCHEMA_HINTS, readable, type ParsedOutput } from './messages';
import { decodeXml, tryScanXml, type XmlElement } from '../../core/xmlScan';
import { localName, normalize, wrapperName, type DomainSchema, type ElementPattern } from './schema';
import { pinLines, problem, select, type XmlProblem } from './select';

export type Check = (text: string) => Promise<ParsedOutput>;

/** Problems of a well-formed, invalid document whose root is <domain>; `full` is libxml2's answer for all of it. */
export async function locate(
  text: string,
  root: XmlElement,
  full: ParsedOutput,
  schema: DomainSchema,
  check: Check,
): Promise<XmlProblem[]> {
  const pool = plausible(root, schema.roots.map((id) => schema.patterns[id]!), schema);
  const own = () => select(pinLines(full.messages, root));
  return inside(text, root, [], pool, [{ answer: full, own }], schema, check);
}

interface Answer {
  readonly answer: ParsedOutput;
  /** libxml2's messages about this answer's text, selected and placed. */
  readonly own: () => XmlProblem[];
}

/** The problems of `el`, known to be invalid against every pattern of `pool` (`answers` says how). */
async function inside(
  text: string,
  el: XmlElement,
  ancestors: readonly XmlElement[],
  pool: readonly ElementPattern[],
  answers: readonly Answer[],
  schema: DomainSchema,
  check: Check,
): Promise<XmlProblem[]> {
  const chain = [...ancestors, el];
  const ids = [...new Set(pool.flatMap((p) => p.children))];
  const nested = await Promise.all(
    el.children.map(async (c): Promise<XmlProblem[]> => {
      const candidates = ids.map((id) => schema.patterns[id]!).filter((p) => p.name === localName(c.name));
      if (candidates.length === 0) {
        if (pool.some((p) => p.anyElement)) return [];
        return [problem(c.line, { kind: 'validity', element: c.name, text: `Element ${el.name} has extra content: ${c.name}` })];
      }
      return alone(text, c, chain, candidates, schema, check);
    }),
  );
  const problems = [...attributeProblems(el, pool), ...textProblems(text, el, pool), ...nested.flat()];
  if (problems.length === 0) return best(el, answers);
  // What libxml2 says is missing from this element, when nothing of that name is in it.
  const names = new Set(el.children.map((c) => localName(c.name)));
  const lacking = (p: XmlProblem): boolean => {
    const x = /^Expecting an element (\S+), got nothing$/.exec(p.raw)?.[1];
    const about = p.message === readable({ kind: 'validity', element: el.name, text: p.raw });
    return x !== undefined && about && !names.has(localName(x));
  };
  const missing = answers.map((a) => a.own().filter(lacking));
  const common = missing[0]?.filter((p) => missing.every((ms) => ms.some((o) => o.raw === p.raw))) ?? [];
  return [...problems, ...common.map((p) => ({ ...p, line: el.line }))];
}

/** `el` validated alone against each of its candidate patterns: nothing when one accepts it. */
async function alone(
  text: string,
  el: XmlElement,
  ancestors: readonly XmlElement[],
  candidates: readonly ElementPattern[],
  schema: DomainSchema,
  check: Check,
): Promise<XmlProblem[]> {
  // Prefixes declared above it are declared on the wrapper; a default namespace cannot be (the wrapper is in none).
  const decls = ancestors.flatMap((a) => a.attrs);
  if (decls.some((a) => a.name === 'xmlns' && a.valueEnd > a.valueStart)) return [];
  const ns = decls
    .filter((a) => /^xmlns:[\w.-]+$/.test(a.name))
    .map((a) => ` ${text.slice(a.start, a.valueEnd + 1)}`)
    .join('');
  const body = `${'\n'.repeat(el.line - 1)}${text.slice(el.start, el.end)}`;
  const fragments = candidates.map((p) => `<${wrapperName(p.id)}${ns}>${body}</${wrapperName(p.id)}>`);
  const outputs = await Promise.all(fragments.map(check));
  if (outputs.some((o) => o.valid)) return [];
  const answers = outputs.map((answer, i): Answer => ({ answer, own: () => ownProblems(fragments[i]!, answer, el) }));
  const pool = plausible(el, candidates, schema);
  const chosen = answers.filter((_, i) => pool.includes(candidates[i]!));
  return inside(text, el, ancestors, pool, chosen.length ? chosen : answers, schema, check);
}

/** libxml2's messages about a fragment, without the wrapper's, on lines within the element. */
function ownProblems(fragment: string, answer: ParsedOutput, el: XmlElement): XmlProblem[] {
  const scanned = tryScanXml(fragment);
  const mine = answer.messages.filter((m) => !/\bqq2clone-p\d+\b/.test(m.text));
  const chosen = scanned ? select(pinLines(mine, scanned)) : [];
  return chosen.map((p) => ({ ...p, line: p.line >= el.line && p.line <= el.endLine ? p.line : el.line }));
}

/** An element all of whose children and attributes were accepted: its own fault, as the best answer says it. */
function best(el: XmlElement, answers: readonly Answer[]): XmlProblem[] {
  const all = answers.map((a) => a.own()).filter((ps) => ps.length > 0);
  all.sort((a, b) => a.length - b.length);
  const hint = SCHEMA_HINTS[localName(el.name)] ?? '';
  const chosen = all[0]?.map((p) => (p.line === el.line && hint && !p.message.endsWith(hint) ? { ...p, message: p.message + hint } : p));
  return chosen ?? [{ line: el.line, message: `<${el.name}> does not match libvirt's schema${hint}`, raw: '' }];
}

/** The patterns that know every attribute and child element `el` has; all of them when none does. */
function plausible(el: XmlElement, patterns: readonly ElementPattern[], schema: DomainSchema): ElementPattern[] {
  const attrs = attributesOf(el).map(([n]) => n);
  const fits = patterns.filter(
    (p) =>
      (p.anyAttribute || attrs.every((a) => p.attributes.has(a))) &&
      (p.anyElement || el.children.every((c) => p.children.some((id) => schema.patterns[id]!.name === localName(c.name)))),
  );
  return fits.length ? fits : [...patterns];
}

/** Text outside the values the schema lists for it (for an element without child elements). */
function textProblems(text: string, el: XmlElement, pool: readonly ElementPattern[]): XmlProblem[] {
  if (el.children.length || el.selfClosing || pool.some((p) => p.text === undefined)) return [];
  const inner = text.slice(el.openEnd, el.closeStart);
  // Text only: a comment or CDATA section inside is left to libxml2's own message.
  if (inner.includes('<')) return [];
  const value = normalize(decodeXml(inner));
  const allowed = [...new Set(pool.flatMap((p) => p.text!))];
  if (allowed.includes(value)) return [];
  return [{ line: el.line, message: `<${el.name}>: '${value}' is not allowed (expected one of: ${listed(allowed)})`, raw: 'Error validating value' }];
}

const listed = (values: readonly string[]): string =>
  values.length > 12 ? `${values.slice(0, 12).join(', ')}, …` : values.join(', ');

/** Attributes no pattern allows, and values outside the ones the schema lists. */
function attributeProblems(el: XmlElement, pool: readonly ElementPattern[]): XmlProblem[] {
  if (pool.some((p) => p.anyAttribute)) return [];
  const out: XmlProblem[] = [];
  for (const [name, value] of attributesOf(el)) {
    const known = pool.filter((p) => p.attributes.has(name));
    if (known.length === 0) {
      out.push({ line: el.line, message: `<${el.name}>: unknown attribute '${name}'`, raw: `Invalid attribute ${name} for element ${el.name}` });
      continue;
    }
    const lists = known.map((p) => p.attributes.get(name));
    if (lists.some((l) => l === undefined)) continue;
    const allowed = [...new Set(lists.flat() as string[])];
    if (allowed.includes(normalize(value))) continue;
    out.push({
      line: el.line,
      message: `<${el.name}>: ${name}='${value}' is not allowed (expected one of: ${listed(allowed)})`,
      raw: `Element ${el.name} failed to validate attributes`,
    });
  }
  return out;
}

/** The element's attributes (names without namespace declarations and prefixed ones), values decoded. */
export function attributesOf(el: XmlElement): [string, string][] {
  return el.attrs.filter((a) => !a.name.includes(':') && a.name !== 'xmlns').map((a) => [a.name, a.value]);
}
