/**
 * A clone's hostname from its template's pattern: `{template}`, `{number}` and `{name}` (the clone's domain name)
 * are replaced, then the result is made a valid hostname (RFC 1123: labels of letters, digits and hyphens, 1-63
 * characters, no hyphen at either end; 253 characters in all). Pure.
 */

/** The pattern a template gets when none is given. */
export const DEFAULT_HOSTNAME_PATTERN = '{template}-{number}';

const FIELDS = ['template', 'number', 'name'] as const;

/** Why a pattern is unusable (an unknown `{field}`, nothing that varies per clone), or undefined when it is fine. */
export function hostnamePatternProblem(pattern: string): string | undefined {
  if (!pattern.trim()) return 'The hostname pattern is empty.';
  for (const m of pattern.matchAll(/\{([^}]*)\}/g))
    if (!(FIELDS as readonly string[]).includes(m[1]!)) return `The hostname pattern has an unknown field {${m[1]}}: use ${FIELDS.map((f) => `{${f}}`).join(', ')}.`;
  if (!/\{(number|name)\}/.test(pattern)) return 'The hostname pattern must contain {number} or {name}, or every clone gets the same hostname.';
  return undefined;
}

/** One label: invalid characters become hyphens, runs of hyphens one, none at the ends, at most 63 characters. */
function label(s: string): string {
  return s
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** The hostname of clone `number` (domain `name`) of `template` by `pattern`. */
export function renderHostname(pattern: string, v: { template: string; number: number; name: string }): string {
  const text = pattern.replace(/\{(template|number|name)\}/g, (_, f: string) => (f === 'number' ? String(v.number) : f === 'template' ? v.template : v.name));
  const host = text
    .split('.')
    .map(label)
    .filter(Boolean)
    .join('.')
    .slice(0, 253)
    .replace(/[.-]+$/, '');
  return host || `clone-${v.number}`;
}
