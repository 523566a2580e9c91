/**
 * Validation of domain XML against the host's libvirt RelaxNG schemas (the ones virt-xml-validate uses), with
 * every problem placed on the line of the element at fault. Plain Node: used by the editor and by the CLI.
 */
import { createHash } from 'node:crypto';
import { XmllintEngine, DEFAULT_SCHEMA_DIR } from './engine';
import { parseOutput, readable, isGeneric, type ParsedOutput, type RawMessage } from './messages';
import { scanXml, walk, type ScannedElement } from './scan';

export interface XmlProblem {
  /** 1-based line of the element at fault. */
  readonly line: number;
  /** A readable message. */
  readonly message: string;
  /** libxml2's own wording (as virt-xml-validate prints it). */
  readonly raw: string;
}

export interface ValidationResult {
  /** The verdict of virt-xml-validate for the same text. */
  readonly valid: boolean;
  /** Sorted by line; empty when valid. */
  readonly problems: readonly XmlProblem[];
}

export interface DomainXmlValidator {
  /** Validates one domain XML text. Rejects only when validation itself cannot run (no schemas, no xmllint). */
  validate(text: string): Promise<ValidationResult>;
  /** Starts the worker and compiles the schema ahead of the first document. */
  warmUp(): Promise<void>;
  dispose(): void;
}

/** Answers kept per text (whole documents and device fragments): unchanged parts are not validated again. */
const CACHE_SIZE = 500;

export function createDomainXmlValidator(options: { schemaDir?: string } = {}): DomainXmlValidator {
  const engine = new XmllintEngine(options.schemaDir ?? DEFAULT_SCHEMA_DIR);
  const cache = new Map<string, Promise<ParsedOutput>>();
  const check = (text: string): Promise<ParsedOutput> => {
    const key = createHash('sha1').update(text).digest('base64');
    let hit = cache.get(key);
    if (hit) {
      cache.delete(key);
    } else {
      hit = engine.run(text).then(parseOutput);
      hit.catch(() => cache.delete(key));
    }
    cache.set(key, hit);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return hit;
  };
  return {
    validate: (text) => validateWith(check, text),
    warmUp: () => engine.start(),
    dispose: () => {
      engine.dispose();
      cache.clear();
    },
  };
}

let shared: DomainXmlValidator | undefined;

/** Validates with one shared, warm validator (created on first use). */
export function validateDomainXml(text: string): Promise<ValidationResult> {
  shared ??= createDomainXmlValidator();
  return shared.validate(text);
}

/** Stops the shared validator's worker (it is restarted on the next call). */
export function disposeSharedValidator(): void {
  shared?.dispose();
  shared = undefined;
}

const problem = (line: number, m: RawMessage): XmlProblem => ({ line, message: readable(m), raw: m.text });

async function validateWith(check: (t: string) => Promise<ParsedOutput>, text: string): Promise<ValidationResult> {
  const full = await check(text);
  const parserErrors = full.messages.filter((m) => m.kind === 'parser');
  if (parserErrors.length) return result(parserErrors.map((m) => problem(m.line ?? 1, m)));
  const root = scanXml(text);
  if (root && root.name !== 'domain') {
    return result([problem(root.line, { kind: 'validity', text: `Expecting element domain, got ${root.name}` })]);
  }
  if (full.valid) return { valid: true, problems: [] };
  if (!root) return result(full.messages.map((m) => problem(m.line ?? 1, m)));

  const devices = root.children.find((c) => c.name === 'devices');
  const deviceProblems = devices ? await checkDevices(check, text, root, devices) : [];
  let messages = pinLines(full.messages, root);
  if (deviceProblems.length && devices) {
    // What the fragments explained precisely, the whole document reports only as "devices is invalid".
    messages = messages.filter(
      ({ line, m }) => m.element !== 'devices' && !/\bdevices\b/.test(m.text) && !within(line, devices),
    );
  }
  return result([...deviceProblems, ...select(messages, deviceProblems.map((d) => d.line))]);
}

/**
 * The precise messages, and "Extra element X in interleave" only when nothing precise lies inside X; the rest
 * (libxml2 repeating the failure at every enclosing level) only when there is nothing else.
 */
function select(messages: Pinned[], otherLines: readonly number[]): XmlProblem[] {
  const specific = messages.filter(({ m }) => !isGeneric(m.text));
  const lines = [...specific.map((s) => s.line), ...otherLines];
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
  if (lines.length === 0 && chosen.length === 0 && messages[0]) chosen.push(problem(messages[0].line, messages[0].m));
  return chosen;
}

function result(problems: XmlProblem[]): ValidationResult {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const k = `${p.line}\0${p.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  unique.sort((a, b) => a.line - b.line);
  if (unique.length === 0) unique.push({ line: 1, message: "the document does not match libvirt's schema", raw: '' });
  return { valid: false, problems: unique };
}

interface Pinned {
  readonly line: number;
  readonly m: RawMessage;
  /** The element the message is about, when found. */
  readonly el?: ScannedElement;
}

const within = (line: number, el: ScannedElement): boolean => line >= el.line && line <= el.endLine;

/** Each child of <devices> alone against the schema's device definitions, at its true line numbers. */
async function checkDevices(
  check: (t: string) => Promise<ParsedOutput>,
  text: string,
  root: ScannedElement,
  devices: ScannedElement,
): Promise<XmlProblem[]> {
  const ns = [...`${root.attributes} ${devices.attributes}`.matchAll(/\sxmlns(:[\w.-]+)?\s*=\s*("[^"]*"|'[^']*')/g)]
    .map((m) => m[0])
    .join('');
  const fragments = devices.children.map(
    (d) => `<devices${ns}>${'\n'.repeat(d.line - 1)}${text.slice(d.start, d.end)}</devices>`,
  );
  const answers = await Promise.all(fragments.map(check));
  return answers.flatMap((a, i) => {
    if (a.valid) return [];
    const d = devices.children[i]!;
    const fragment = scanXml(fragments[i]!);
    // The wrapper's own complaints ("Element devices failed...") are about this one device.
    const wrapper = /^(Element devices failed to validate content|Extra element devices in interleave)$/;
    const chosen = fragment ? select(pinLines(a.messages, fragment).filter((p) => !wrapper.test(p.m.text)), []) : [];
    const clamp = (l: number): number => (l >= d.line && l <= d.endLine ? l : d.line);
    if (chosen.length === 0 && a.messages[0]) chosen.push(problem(d.line, a.messages[0]));
    return chosen.map((p) => ({ ...p, line: clamp(p.line) }));
  });
}

/**
 * libxml2 reports "Extra element X in interleave" without a line, just before the message about X's parent:
 * place it on the line of that parent's child X.
 */
function pinLines(messages: RawMessage[], root: ScannedElement): Pinned[] {
  const all = [...walk(root)];
  return messages.map((m, i) => {
    const x = /^Extra element (\S+) in interleave$/.exec(m.text)?.[1];
    if (m.line !== undefined && !x) return { line: m.line, m };
    const next = messages.slice(i + 1).find((n) => n.line !== undefined);
    const at = next && all.find((e) => e.line === next.line && (!next.element || e.name === next.element));
    // X is a child of the element reported next, that element itself, or its sibling (validation stopped there).
    const sibling = at && all.find((e) => e.children.includes(at))?.children.find((c) => c.name === x);
    const el = x ? (at?.children.find((c) => c.name === x) ?? (at?.name === x ? at : sibling)) : undefined;
    return { line: el?.line ?? m.line ?? next?.line ?? root.line, m, ...(el ? { el } : {}) };
  });
}
