/**
 * Where policies live: a clone's in its own bookkeeping element (<q2c:clone><q2c:policy .../></q2c:clone>), a
 * template's default as a <q2c:policy> element in the template's <metadata>, which a new clone inherits (cloning
 * replaces that element by the clone's bookkeeping, which carries the policy on). Pure edits of the XML text.
 */
import { LibvirtError } from '../../core/errors';
import { policyFromAttrs, type PowerOffPolicy } from '../../core/powerOffPolicy';
import { applyEdits, metaElement, ourElement, parseDomain, policyElement, type CloneMeta, type ParsedDomain } from './domainModel';
import { attr, child } from '../../core/xmlScan';

/** A template's default policy (undefined: keep). */
export function templatePolicyOf(d: ParsedDomain): PowerOffPolicy | undefined {
  const el = ourElement(d.root);
  if (!el || el.name.replace(/^.*:/, '') !== 'policy') return undefined;
  const p = policyFromAttrs(attr(el, 'action')?.value, attr(el, 'on')?.value, attr(el, 'snapshot')?.value);
  return p && p.action !== 'keep' ? p : undefined;
}

/** A template's XML with its default policy set (keep removes the element); the rest byte-identical. */
export function withTemplatePolicy(xml: string, policy: PowerOffPolicy): string {
  const d = parseDomain(xml);
  const nl = xml.includes('\r\n') ? '\r\n' : '\n';
  const ours = ourElement(d.root);
  if (ours && ours.name.replace(/^.*:/, '') !== 'policy') {
    throw new LibvirtError('This template carries clone bookkeeping in its <metadata>: remove that element first.');
  }
  const keep = policy.action === 'keep';
  if (ours) {
    if (!keep) return applyEdits(xml, [{ start: ours.start, end: ours.end, text: policyElement(policy, true) }]);
    const ls = xml.lastIndexOf('\n', ours.start - 1);
    const onlyWs = /^[ \t\r]*$/.test(xml.slice(ls + 1, ours.start));
    return applyEdits(xml, [{ start: onlyWs ? Math.max(ls, 0) : ours.start, end: ours.end, text: '' }]);
  }
  if (keep) return xml;
  const md = child(d.root, 'metadata');
  const anchor = child(d.root, 'uuid') ?? child(d.root, 'name');
  const lineStart = anchor ? xml.lastIndexOf('\n', anchor.start - 1) + 1 : 0;
  const ind = anchor && /^[ \t]*$/.test(xml.slice(lineStart, anchor.start)) ? xml.slice(lineStart, anchor.start) : '  ';
  const el = policyElement(policy, true);
  if (md && !md.selfClosing) return applyEdits(xml, [{ start: md.openEnd, end: md.openEnd, text: `${nl}${ind}  ${el}` }]);
  const block = `<metadata>${nl}${ind}  ${el}${nl}${ind}</metadata>`;
  if (md) return applyEdits(xml, [{ start: md.start, end: md.end, text: block }]);
  const at = anchor?.end ?? d.root.openEnd;
  return applyEdits(xml, [{ start: at, end: at, text: `${nl}${ind}${block}` }]);
}

/** Our bookkeeping element as `virsh metadata --set` wants it: unprefixed (libvirt puts the namespace on). */
export function bareMetaElement(m: CloneMeta): string {
  return metaElement(m, '', '').replace(/>\s+</g, '><').replace(/ xmlns:q2c="[^"]*"/, '').replace(/<(\/?)q2c:/g, '<$1');
}
