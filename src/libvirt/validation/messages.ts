/** Reads xmllint's stderr and turns libxml2's RelaxNG wording into messages a person can act on. */

export interface RawMessage {
  /** 1-based line, when libxml2 gave one. */
  readonly line?: number;
  /** The element libxml2 names in the prefix ("element disk:"). */
  readonly element?: string;
  readonly kind: 'parser' | 'validity';
  /** libxml2's message text, without file, line and prefix. */
  readonly text: string;
}

export interface ParsedOutput {
  readonly valid: boolean;
  readonly messages: RawMessage[];
}

const LOCATED = /^[^:\s]+:(\d+): (?:element ([^:\s]+): )?(Relax-NG validity error|parser error|validity error|namespace error) : (.*)$/;
const UNLOCATED = /^Relax-NG validity error : (.*)$/;

/** Parses one document's output; the lines after a parser error (source excerpt and caret) are skipped. */
export function parseOutput(output: string): ParsedOutput {
  const messages: RawMessage[] = [];
  let valid = false;
  for (const line of output.split('\n')) {
    let m = LOCATED.exec(line);
    if (m) {
      const kind = m[3] === 'Relax-NG validity error' ? 'validity' : 'parser';
      messages.push({ line: Number(m[1]), ...(m[2] ? { element: m[2] } : {}), kind, text: m[4]!.trim() });
      continue;
    }
    m = UNLOCATED.exec(line);
    if (m) messages.push({ kind: 'validity', text: m[1]!.trim() });
    else if (/ validates$/.test(line)) valid = true;
  }
  return { valid: valid && messages.length === 0, messages };
}

/**
 * Messages that only repeat, one level up, a problem reported more precisely before them; and "Error validating
 * value" without a type, which libxml2 often leaves behind from an alternative it tried and dropped.
 */
export function isGeneric(text: string): boolean {
  return (
    text === 'Invalid sequence in interleave' ||
    /^Error validating value\s*$/.test(text) ||
    /^Element \S+ failed to validate content$/.test(text) ||
    /^Extra element \S+ in interleave$/.test(text)
  );
}

/** What libvirt expects of elements whose errors libxml2 reports without detail. */
export const SCHEMA_HINTS: Readonly<Record<string, string>> = {
  uuid: ' (a UUID looks like 4dea22b3-1d52-d8f3-2516-782e98ab3fa0)',
  mac: " (a MAC address looks like address='52:54:00:12:34:56')",
  memory: " (a number, with unit='KiB', 'MiB', 'GiB'...)",
  currentMemory: " (a number, with unit='KiB', 'MiB', 'GiB'...)",
  vcpu: ' (a positive number)',
  name: ' (a non-empty name)',
};

const RULES: readonly [RegExp, (m: RegExpExecArray, el: string | undefined) => string][] = [
  [/^Element (\S+) has extra content: (\S+)$/, (m) => `<${m[2]}> is not allowed in <${m[1]}> (unknown element, or in the wrong place)`],
  [/^Invalid attribute (\S+) for element (\S+)$/, (m) => `<${m[2]}>: attribute '${m[1]}' is unknown or its value is invalid`],
  [/^Expecting an element (\S+), got nothing$/, (m, el) => `<${el ?? 'element'}> is missing the required element <${m[1]}>`],
  [/^Expecting element (\S+), got (\S+)$/, (m) => `expected <${m[1]}> here, found <${m[2]}>`],
  [/^Did not expect element (\S+) there$/, (m) => `<${m[1]}> is not allowed here`],
  [/^Did not expect text in element (\S+) content$/, (m) => `<${m[1]}> must not contain text`],
  [/^Element (\S+) failed to validate attributes$/, (m) => `<${m[1]}> has a missing or invalid attribute`],
  [/^Element (\S+) failed to validate content$/, (m) => `the content of <${m[1]}> is invalid`],
  [/^Extra element (\S+) in interleave$/, (m) => `<${m[1]}> is invalid: its value, attributes or content do not match libvirt's schema${SCHEMA_HINTS[m[1]!] ?? ''}`],
  [/^Invalid sequence in interleave$/, (_m, el) => `<${el ?? 'element'}>: invalid combination of child elements`],
  [/^Error validating value(?: (\S+))?$/, (_m, el) => `<${el ?? 'element'}>: invalid value`],
  [/^Type (\S+) doesn't allow value '(.*)'$/, (m, el) => `${el ? `<${el}>: ` : ''}'${m[2]}' is not a valid ${m[1]}`],
  // string and token: a type of libvirt's restricted by a pattern (a UUID, a MAC address, a path...).
  [/^Error validating datatype (string|token)$/, (_m, el) => `<${el ?? 'element'}>: the value does not have the form libvirt expects`],
  [/^Error validating datatype (\S+)$/, (m, el) => `<${el ?? 'element'}>: the value is not a valid ${m[1]}`],
  [/^Element (\S+) failed to validate value$/, (m) => `<${m[1]}>: invalid value`],
];

/** libvirt's (libxml2's) message, reworded; unknown wordings pass unchanged. */
export function readable(m: RawMessage): string {
  if (m.kind === 'parser') return `XML syntax error: ${m.text}`;
  for (const [re, f] of RULES) {
    const r = re.exec(m.text);
    if (r) return f(r, m.element);
  }
  return m.text;
}
