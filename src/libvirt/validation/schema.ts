/**
 * The host's libvirt RelaxNG schemas, prepared so that any single element of a domain can be validated alone
 * against any one of its definitions: a copy of every named <element> pattern is put in a define of its own (the
 * schema itself is left as it is), and a wrapper grammar accepts <domain> or, for each element pattern, a wrapper
 * element <qq2clone-pN> holding one element of that pattern. libxml2 reports
 * an error inside a <choice> or an <interleave> vaguely; validated against one definition, it says what is wrong.
 *
 * The model read from the same files says which element patterns may appear in which, and which attributes (with
 * their values, when they are listed) each allows. Nothing is copied into the project: the files are read at start.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MissingDependencyError } from '../../core/errors';
import { elementsIn, encodeXml, scanXml, type XmlElement } from '../../core/xmlScan';

export interface SchemaFile {
  readonly fileName: string;
  readonly contents: string;
}

export interface ElementPattern {
  readonly id: number;
  /** Local name. */
  readonly name: string;
  /** Element patterns its content allows as children. */
  readonly children: readonly number[];
  /** Attributes its content allows: the listed values, or undefined when any value of a type may do. */
  readonly attributes: ReadonlyMap<string, readonly string[] | undefined>;
  /** The values its text may take, when the schema lists them (and nothing else). */
  readonly text?: readonly string[];
  /** Any attribute / any element may appear (libvirt's custom metadata). */
  readonly anyAttribute: boolean;
  readonly anyElement: boolean;
}

export interface DomainSchema {
  /** Every .rng of the directory (the domain closure prepared as above) and the wrapper. */
  readonly files: readonly SchemaFile[];
  readonly patterns: readonly ElementPattern[];
  /** Patterns of the root <domain>. */
  readonly roots: readonly number[];
}

/** The grammar we compile. */
export const WRAPPER_SCHEMA = 'qq2clone-domain-or-element.rng';
const DEFINE_PREFIX = 'qq2clone-e';
/** The element a fragment validated against pattern `id` is wrapped in. */
export const wrapperName = (id: number): string => `qq2clone-p${id}`;

/** The value of an attribute of a schema element. */
const attr = (el: XmlElement, name: string): string | undefined => el.attrs.find((a) => a.name === name)?.value;

/** Reads the schema directory and prepares it; throws MissingDependencyError without domain.rng. */
export function loadDomainSchema(dir: string): DomainSchema {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((f) => f.endsWith('.rng'));
  } catch {
    names = [];
  }
  if (!names.includes('domain.rng')) {
    throw new MissingDependencyError(
      `libvirt's RelaxNG schemas are not in ${dir} (no domain.rng): install libvirt (the package with virt-xml-validate).`,
      'virt-xml-validate',
    );
  }
  const texts = new Map(names.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
  return prepareDomainSchema(texts);
}

interface Parsed {
  readonly text: string;
  readonly root: XmlElement;
}

/** The preparation itself, on file texts keyed by file name. */
export function prepareDomainSchema(texts: ReadonlyMap<string, string>): DomainSchema {
  // The files domain.rng includes, directly or not.
  const closure = new Map<string, Parsed>();
  const visit = (name: string): void => {
    const text = texts.get(name);
    if (closure.has(name) || text === undefined) return;
    let root: XmlElement;
    try {
      root = scanXml(text);
    } catch (e) {
      throw new Error(`${name} is not well-formed XML: ${(e as Error).message}`);
    }
    closure.set(name, { text, root });
    for (const el of descendants(root)) if (el.name === 'include') visit(attr(el, 'href') ?? '');
  };
  visit('domain.rng');

  const ids = new Map<XmlElement, number>();
  const defines = new Map<string, XmlElement[]>();
  const owner = new Map<XmlElement, string>();
  for (const [file, { root }] of closure) {
    for (const el of descendants(root)) {
      owner.set(el, file);
      if (el.name === 'element' && attr(el, 'name') !== undefined) ids.set(el, ids.size);
      if (el.name === 'define') {
        const n = attr(el, 'name') ?? '';
        defines.set(n, [...(defines.get(n) ?? []), el]);
      }
    }
  }

  const files: SchemaFile[] = [];
  for (const name of [...texts.keys()].sort()) {
    const parsed = closure.get(name);
    files.push({ fileName: name, contents: parsed ? copyElements(parsed, ids) : texts.get(name)! });
  }
  const patterns = [...ids].map(([el, id]) => model(el, id, ids, defines, closure, owner));
  const roots = contentOf(defines.get('domain') ?? [], ids, defines, closure, owner).elements;
  const wrappers = patterns.map((p) => `      <element name="${wrapperName(p.id)}"><ref name="${DEFINE_PREFIX}${p.id}"/></element>`);
  files.push({
    fileName: WRAPPER_SCHEMA,
    contents: `<?xml version="1.0"?>
<grammar xmlns="http://relaxng.org/ns/structure/1.0" datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <include href="domain.rng">
    <start>
      <choice>
      <ref name="domain"/>
${wrappers.join('\n')}
      </choice>
    </start>
  </include>
</grammar>
`,
  });
  return { files, patterns, roots };
}


/** Every element under `el`, in document order. */
const descendants = (el: XmlElement): XmlElement[] => elementsIn(el).slice(1);

/**
 * The file unchanged (the document is validated against the very patterns virt-xml-validate uses, so libxml2's
 * messages about it are the same), plus a define per named <element>: a copy of it in which the named elements it
 * contains are refs to their own copies.
 */
function copyElements({ text, root }: Parsed, ids: ReadonlyMap<XmlElement, number>): string {
  const copies: string[] = [];
  const inherited = (chain: readonly XmlElement[], name: string): string | undefined => {
    for (let i = chain.length - 1; i >= 0; i--) {
      const v = attr(chain[i]!, name);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  /** The element's text with the named elements in it replaced by refs; their copies made on the way. */
  const rewrite = (el: XmlElement, chain: readonly XmlElement[]): string => {
    let out = '';
    let pos = el.start;
    for (const c of el.children) {
      out += text.slice(pos, c.start);
      const inner = rewrite(c, [...chain, el]);
      const id = ids.get(c);
      if (id === undefined) out += inner;
      else {
        out += `<ref name="${DEFINE_PREFIX}${id}"/>`;
        // What the element inherited where it stood (ns, datatypeLibrary) is written on its copy.
        let copy = inner;
        for (const a of ['ns', 'datatypeLibrary']) {
          const v = attr(c, a) === undefined ? inherited([...chain, el], a) : undefined;
          if (v !== undefined) copy = copy.replace(/^<element/, `<element ${a}="${encodeXml(v)}"`);
        }
        copies.push(`  <define name="${DEFINE_PREFIX}${id}">\n    ${copy}\n  </define>\n`);
      }
      pos = c.end;
    }
    return out + text.slice(pos, el.end);
  };
  rewrite(root, []);
  const close = text.lastIndexOf('</grammar>');
  return `${text.slice(0, close)}${copies.join('')}${text.slice(close)}`;
}

interface Content {
  elements: number[];
  /** Listed values of the text; `anyText` when a type or free text is allowed too. */
  values: string[];
  anyText: boolean;
  attributes: Map<string, string[] | undefined>;
  anyAttribute: boolean;
  anyElement: boolean;
}

function model(
  el: XmlElement,
  id: number,
  ids: ReadonlyMap<XmlElement, number>,
  defines: ReadonlyMap<string, XmlElement[]>,
  closure: ReadonlyMap<string, Parsed>,
  owner: ReadonlyMap<XmlElement, string>,
): ElementPattern {
  const c = contentOf(el.children, ids, defines, closure, owner);
  return {
    id,
    name: localName(attr(el, 'name')!),
    children: c.elements,
    attributes: c.attributes,
    ...(c.values.length && !c.anyText ? { text: c.values } : {}),
    anyAttribute: c.anyAttribute,
    anyElement: c.anyElement,
  };
}

export const localName = (qname: string): string => qname.slice(qname.indexOf(':') + 1);

/** What the patterns allow directly (through refs and combinators, not inside child elements). */
function contentOf(
  nodes: readonly XmlElement[],
  ids: ReadonlyMap<XmlElement, number>,
  defines: ReadonlyMap<string, XmlElement[]>,
  closure: ReadonlyMap<string, Parsed>,
  owner: ReadonlyMap<XmlElement, string>,
): Content {
  const out: Content = { elements: [], values: [], anyText: false, attributes: new Map(), anyAttribute: false, anyElement: false };
  const seen = new Set<string>();
  /** The raw text between the element's tags. */
  const textOf = (n: XmlElement): string => closure.get(owner.get(n)!)!.text.slice(n.openEnd, n.closeStart);
  /** Listed values of an attribute's content, or undefined when it also allows other values. */
  const values = (n: XmlElement, refs: Set<string>): string[] | undefined => {
    switch (n.name) {
      case 'value':
        return [normalize(textOf(n))];
      case 'choice':
      case 'group': {
        const all = n.children.map((c) => values(c, refs));
        return all.some((v) => v === undefined) ? undefined : all.flat() as string[];
      }
      case 'ref': {
        const name = attr(n, 'name') ?? '';
        if (refs.has(name)) return [];
        refs.add(name);
        const bodies = (defines.get(name) ?? []).flatMap((d) => d.children);
        const all = bodies.map((b) => values(b, refs));
        return all.some((v) => v === undefined) ? undefined : all.flat() as string[];
      }
      default:
        return undefined;
    }
  };
  const walk = (n: XmlElement): void => {
    switch (n.name) {
      case 'element': {
        const id = ids.get(n);
        if (id === undefined) out.anyElement = true;
        else out.elements.push(id);
        return;
      }
      case 'attribute': {
        const name = attr(n, 'name');
        if (name === undefined) {
          out.anyAttribute = true;
          return;
        }
        // <attribute name="x"/> allows any text; one child is its value pattern.
        const v = n.children.length === 1 ? values(n.children[0]!, new Set()) : undefined;
        const key = localName(name);
        const before = out.attributes.get(key);
        if (!out.attributes.has(key)) out.attributes.set(key, v);
        else out.attributes.set(key, before === undefined || v === undefined ? undefined : [...before, ...v]);
        return;
      }
      case 'ref': {
        const name = attr(n, 'name') ?? '';
        if (seen.has(name)) return;
        seen.add(name);
        for (const d of defines.get(name) ?? []) d.children.forEach(walk);
        return;
      }
      case 'value':
        out.values.push(normalize(textOf(n)));
        return;
      case 'data':
      case 'text':
      case 'list':
        out.anyText = true;
        return;
      case 'empty':
      case 'notAllowed':
      case 'parentRef':
      case 'name':
      case 'anyName':
      case 'nsName':
      case 'param':
      case 'except':
        return;
      default:
        n.children.forEach(walk);
    }
  };
  nodes.forEach(walk);
  return out;
}

/** RelaxNG compares <value>s as tokens (whitespace collapsed). */
export const normalize = (v: string): string => v.trim().replace(/\s+/g, ' ');
