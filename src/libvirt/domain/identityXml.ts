/**
 * A template's identity setting and a clone's applied identity, in the domain's <metadata> under a namespace of
 * their own (libvirt keeps one element per namespace, so it never competes with our bookkeeping element):
 *   <id:identity xmlns:id="https://qq2clone.invalid/xmlns/identity/1" hostname="{template}-{number}">
 *     <id:authorize user="root" key="ssh-ed25519 AAAA... me@host"/>                        (optional)
 *     <id:applied hostname="web-3" machine-id="..."><id:key type="ssh-ed25519" fingerprint="SHA256:..."/></id:applied>
 *   </id:identity>
 * A template without the element has identity off. Clones carry the template's element on (cloning keeps foreign
 * metadata); <applied> is what was written into the clone's disk. Pure edits of the XML text.
 */
import { attr, child, encodeXml, scanWellFormedXml, type XmlElement } from '../../core/xmlScan';
import { applyEdits, indentOf, newlineOf } from './domainModel';

export const IDENTITY_NS = 'https://qq2clone.invalid/xmlns/identity/1';

/** What a template's clones get: a hostname by pattern, a fresh machine-id and SSH host keys, maybe a user's key. */
export interface IdentitySetting {
  /** Hostname pattern ({template}, {number}, {name}). */
  readonly hostname: string;
  /** A public key line authorized for `user` (absent: none). */
  readonly authorizedKey?: string;
  /** Whose authorized_keys gets the key (absent: the template's SSH login user, else root). */
  readonly user?: string;
}

export interface HostKeyFingerprint {
  readonly type: string;
  /** SHA256:... as ssh-keygen -l prints it. */
  readonly fingerprint: string;
}

/** What was written into a clone's disk. */
export interface AppliedIdentity {
  readonly hostname: string;
  readonly machineId: string;
  readonly keys: readonly HostKeyFingerprint[];
}

const local = (el: XmlElement) => el.name.replace(/^.*:/, '');
const kid = (el: XmlElement | undefined, name: string) => el?.children.find((c) => local(c) === name);

function identityEl(root: XmlElement): XmlElement | undefined {
  return child(root, 'metadata')?.children.find(
    (c) => local(c) === 'identity' && c.attrs.some((a) => (a.name === 'xmlns' || a.name.startsWith('xmlns:')) && a.value === IDENTITY_NS),
  );
}

/** The identity setting and applied identity in a domain's XML (both undefined when it has none). */
export function identityOf(xml: string): { setting?: IdentitySetting; applied?: AppliedIdentity } {
  let el: XmlElement | undefined;
  try {
    el = identityEl(scanWellFormedXml(xml));
  } catch {
    return {};
  }
  const hostname = attr(el, 'hostname')?.value;
  if (!el || !hostname) return {};
  const auth = kid(el, 'authorize');
  const key = attr(auth, 'key')?.value;
  const user = attr(auth, 'user')?.value;
  const setting: IdentitySetting = { hostname, ...(key ? { authorizedKey: key } : {}), ...(key && user ? { user } : {}) };
  const ap = kid(el, 'applied');
  const apHost = attr(ap, 'hostname')?.value;
  if (!ap || !apHost) return { setting };
  const keys = ap.children
    .filter((c) => local(c) === 'key')
    .map((c) => ({ type: attr(c, 'type')?.value ?? '', fingerprint: attr(c, 'fingerprint')?.value ?? '' }))
    .filter((k) => k.type && k.fingerprint);
  return { setting, applied: { hostname: apHost, machineId: attr(ap, 'machine-id')?.value ?? '', keys } };
}

/** The element's text on one line; `prefix` '' gives it unprefixed and without xmlns (for virsh metadata --set). */
export function identityElement(s: IdentitySetting, applied?: AppliedIdentity, prefix = 'id'): string {
  const p = prefix ? `${prefix}:` : '';
  const ns = prefix ? ` xmlns:${prefix}="${IDENTITY_NS}"` : '';
  const kids: string[] = [];
  if (s.authorizedKey) kids.push(`<${p}authorize${s.user ? ` user="${encodeXml(s.user)}"` : ''} key="${encodeXml(s.authorizedKey)}"/>`);
  if (applied) {
    const keys = applied.keys.map((k) => `<${p}key type="${encodeXml(k.type)}" fingerprint="${encodeXml(k.fingerprint)}"/>`).join('');
    kids.push(`<${p}applied hostname="${encodeXml(applied.hostname)}" machine-id="${encodeXml(applied.machineId)}">${keys}</${p}applied>`);
  }
  const head = `<${p}identity${ns} hostname="${encodeXml(s.hostname)}"`;
  return kids.length ? `${head}>${kids.join('')}</${p}identity>` : `${head}/>`;
}

/**
 * The domain XML with its identity element set (undefined removes it); everything else byte-identical. Used for
 * templates (the setting) and for new clones' XML before they are defined (the setting and what was applied).
 */
export function withIdentity(xml: string, s: IdentitySetting | undefined, applied?: AppliedIdentity): string {
  const root = scanWellFormedXml(xml);
  const nl = newlineOf(xml);
  const ours = identityEl(root);
  if (ours) {
    if (s) return applyEdits(xml, [{ start: ours.start, end: ours.end, text: identityElement(s, applied) }]);
    const ls = xml.lastIndexOf('\n', ours.start - 1);
    const onlyWs = /^[ \t\r]*$/.test(xml.slice(ls + 1, ours.start));
    return applyEdits(xml, [{ start: onlyWs ? Math.max(ls, 0) : ours.start, end: ours.end, text: '' }]);
  }
  if (!s) return xml;
  const el = identityElement(s, applied);
  const md = child(root, 'metadata');
  const anchor = child(root, 'uuid') ?? child(root, 'name');
  const ind = indentOf(xml, anchor);
  if (md && !md.selfClosing) return applyEdits(xml, [{ start: md.openEnd, end: md.openEnd, text: `${nl}${indentOf(xml, md)}  ${el}` }]);
  const block = `<metadata>${nl}${ind}  ${el}${nl}${ind}</metadata>`;
  if (md) return applyEdits(xml, [{ start: md.start, end: md.end, text: block }]);
  const at = anchor?.end ?? root.openEnd;
  return applyEdits(xml, [{ start: at, end: at, text: `${nl}${ind}${block}` }]);
}
