/**
 * Validation of domain XML against the host's libvirt RelaxNG schemas (the ones virt-xml-validate uses), with
 * every problem placed on the line of the element at fault. Plain Node: used by the editor and by the CLI.
 */
import { createHash } from 'node:crypto';
import { XmllintEngine, DEFAULT_SCHEMA_DIR } from './engine';
import { locate } from './locate';
import { parseOutput, type ParsedOutput } from './messages';
import { tryScanXml } from '../../core/xmlScan';
import { loadDomainSchema, WRAPPER_SCHEMA, type DomainSchema } from './schema';
import { problem, type XmlProblem } from './select';

export type { XmlProblem };
export { problemSpan, problemSpans, type Span } from './span';

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

/** Answers kept per text (whole documents and element fragments): unchanged parts are not validated again. */
const CACHE_SIZE = 500;

export function createDomainXmlValidator(options: { schemaDir?: string } = {}): DomainXmlValidator {
  let schema: DomainSchema | undefined;
  const loaded = (): DomainSchema => (schema ??= loadDomainSchema(options.schemaDir ?? DEFAULT_SCHEMA_DIR));
  const engine = new XmllintEngine(() => ({ files: loaded().files, name: WRAPPER_SCHEMA }));
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
    validate: (text) => validateWith(check, loaded, text),
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

async function validateWith(
  check: (t: string) => Promise<ParsedOutput>,
  schema: () => DomainSchema,
  text: string,
): Promise<ValidationResult> {
  const full = await check(text);
  const parserErrors = full.messages.filter((m) => m.kind === 'parser');
  if (parserErrors.length) return result(parserErrors.map((m) => problem(m.line ?? 1, m)));
  const root = tryScanXml(text);
  if (root && root.name !== 'domain') {
    return result([problem(root.line, { kind: 'validity', text: `Expecting element domain, got ${root.name}` })]);
  }
  if (full.valid) return { valid: true, problems: [] };
  if (!root) return result(full.messages.map((m) => problem(m.line ?? 1, m)));
  return result(await locate(text, root, full, schema(), check));
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

/**
 * The template operations' validator (import, edit, copy check templates with it): each problem of libvirt's schema
 * as `line N: message`. The CLI and the extension hand this same function to the service.
 */
export async function templateProblems(xml: string): Promise<readonly string[]> {
  return (await validateDomainXml(xml)).problems.map((p) => `line ${p.line}: ${p.message}`);
}
