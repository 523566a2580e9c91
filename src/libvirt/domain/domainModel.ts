/**
 * Domain XML edits by splicing: only the bytes that change are replaced (name, uuid, MACs, disk sources, our
 * metadata element); CRLF, comments, quoting and everything else stay byte-identical.
 */
import { TemplateError, XmlError } from '../../core/errors';
import { attr, child, childrenNamed, encodeXml, scanWellFormedXml, textOf, type XmlElement } from '../../core/xmlScan';
import { policyFromAttrs, type PowerOffPolicy } from '../../core/powerOffPolicy';

/** The namespace of the tool's bookkeeping inside a domain's <metadata>. */
export const CLONE_NS = 'https://qq2clone.invalid/xmlns/clone/1';

export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Applies non-overlapping edits to `text`. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) throw new XmlError('Overlapping XML edits.');
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** The clone bookkeeping kept in the domain's <metadata>. */
export interface CloneMeta {
  readonly template: string;
  readonly id: number;
  /** Overlay files this clone owns (deleted by rm). */
  readonly overlays: readonly string[];
  /** The storage directory the overlays were made in. */
  readonly storage?: string;
  readonly staging?: boolean;
  /** What happens when it powers off (absent: keep). */
  readonly policy?: PowerOffPolicy;
}

export interface DiskInfo {
  readonly index: number;
  readonly type: string;
  readonly device: string;
  readonly target: string | undefined;
  readonly source: string | undefined;
  readonly format: string | undefined;
  /** Readonly or shareable disks are shared with the template, not cloned. */
  readonly shared: boolean;
  readonly el: XmlElement;
}

export interface ParsedDomain {
  readonly xml: string;
  readonly root: XmlElement;
  readonly name: string | undefined;
  readonly uuid: string | undefined;
  readonly disks: readonly DiskInfo[];
  readonly meta: CloneMeta | undefined;
}

export function parseDomain(xml: string): ParsedDomain {
  const root = scanWellFormedXml(xml);
  if (root.name !== 'domain') throw new XmlError(`Not a libvirt domain: the root element is <${root.name}>.`);
  const devices = child(root, 'devices');
  const disks = devices
    ? childrenNamed(devices, 'disk').map((el, index): DiskInfo => {
        const src = child(el, 'source');
        return {
          index,
          type: attr(el, 'type')?.value ?? 'file',
          device: attr(el, 'device')?.value ?? 'disk',
          target: attr(child(el, 'target'), 'dev')?.value,
          source: attr(src, 'file')?.value ?? attr(src, 'dev')?.value,
          format: attr(child(el, 'driver'), 'type')?.value,
          shared: !!child(el, 'readonly') || !!child(el, 'shareable'),
          el,
        };
      })
    : [];
  return { xml, root, name: textOf(xml, child(root, 'name')), uuid: textOf(xml, child(root, 'uuid')), disks, meta: readMeta(root) };
}

/** Disks that a clone gets an overlay for: file-backed, writable disks (not cdroms, not shared). Never throws. */
export function overlayDisks(d: ParsedDomain): DiskInfo[] {
  return d.disks.filter((k) => k.type === 'file' && k.device === 'disk' && !k.shared && !!k.source);
}

/**
 * Disks a clone would write into although they belong to the template: writable (no <readonly/>, no <shareable/>,
 * not a cdrom) but not a file disk, so no qcow2 overlay can stand in front of them (block devices, pool volumes,
 * network disks, writable floppies and LUNs...). A clone of such a template would write straight into its disk.
 */
export function unoverlayableDisks(d: ParsedDomain): DiskInfo[] {
  const overlaid = new Set(overlayDisks(d));
  return d.disks.filter(
    (k) => !overlaid.has(k) && !k.shared && k.device !== 'cdrom' && !(k.type === 'file' && k.device === 'disk' && !k.source),
  );
}

function describeDisk(k: DiskInfo): string {
  return `${k.target ?? `#${k.index + 1}`} (${k.type} ${k.device}${k.source ? ` ${k.source}` : ''})`;
}

/**
 * Why a domain cannot be a template, or be cloned, because of its disks: a TemplateError that names each writable
 * disk that cannot get an overlay and says what to do; undefined when every writable disk can. Pure (for import's
 * checks as well as for cloning).
 */
export function overlayProblem(d: ParsedDomain, template = d.name ?? 'the template'): TemplateError | undefined {
  const bad = unoverlayableDisks(d);
  if (!bad.length) return undefined;
  const which = bad.map(describeDisk).join(', ');
  return new TemplateError(
    `${template}: writable disk ${which} cannot get a copy-on-write overlay, so a clone would write straight into the template's disk. ` +
      `Mark ${bad.length > 1 ? 'them' : 'it'} <readonly/> (or <shareable/> if the guests are meant to share it) in the template, or use a file disk (a qcow2 or raw image file) instead.`,
  );
}

/**
 * The disks a clone gets an overlay for; throws overlayProblem's TemplateError when the template has a writable
 * disk that cannot get one (so nothing is ever cloned on top of a disk the clone would write into).
 */
export function clonableDisks(d: ParsedDomain, template?: string): DiskInfo[] {
  const problem = overlayProblem(d, template);
  if (problem) throw problem;
  return overlayDisks(d);
}

/** Our element in the domain's <metadata> (the first in our namespace). */
export function ourElement(root: XmlElement): XmlElement | undefined {
  const md = child(root, 'metadata');
  return md?.children.find((c) => c.attrs.some((a) => (a.name === 'xmlns' || a.name.startsWith('xmlns:')) && a.value === CLONE_NS));
}

function readMeta(root: XmlElement): CloneMeta | undefined {
  const el = ourElement(root);
  if (!el || el.name.replace(/^.*:/, '') !== 'clone') return undefined;
  const template = attr(el, 'template')?.value;
  const id = Number(attr(el, 'id')?.value);
  if (!template || !Number.isInteger(id) || id < 0) return undefined;
  const overlays = el.children.filter((c) => c.name.replace(/^.*:/, '') === 'overlay').map((c) => attr(c, 'path')?.value ?? '').filter(Boolean);
  const storage = attr(el, 'storage')?.value;
  const pol = el.children.find((c) => c.name.replace(/^.*:/, '') === 'policy');
  const policy = pol && policyFromAttrs(attr(pol, 'action')?.value, attr(pol, 'on')?.value, attr(pol, 'snapshot')?.value);
  return {
    template,
    id,
    overlays,
    ...(storage ? { storage } : {}),
    ...(attr(el, 'staging')?.value === 'yes' ? { staging: true } : {}),
    ...(policy && policy.action !== 'keep' ? { policy } : {}),
  };
}

/** Our metadata element's text (prefix q2c). */
export function metaElement(m: CloneMeta, nl = '\n', indent = '    '): string {
  const head = `<q2c:clone xmlns:q2c="${CLONE_NS}" template="${encodeXml(m.template)}" id="${m.id}"${m.storage ? ` storage="${encodeXml(m.storage)}"` : ''}${m.staging ? ' staging="yes"' : ''}`;
  const pol = m.policy && m.policy.action !== 'keep' ? [policyElement(m.policy)] : [];
  if (!m.overlays.length && !pol.length) return `${head}/>`;
  const kids = [...m.overlays.map((p) => `<q2c:overlay path="${encodeXml(p)}"/>`), ...pol].map((k) => `${nl}${indent}  ${k}`).join('');
  return `${head}>${kids}${nl}${indent}</q2c:clone>`;
}

/** A <q2c:policy> element (the prefix declared by the enclosing element, or by `xmlns` when standalone). */
export function policyElement(p: PowerOffPolicy, xmlns = false): string {
  const to = p.snapshot ? ` snapshot="${encodeXml(p.snapshot)}"` : '';
  return `<q2c:policy${xmlns ? ` xmlns:q2c="${CLONE_NS}"` : ''} action="${p.action}"${p.action === 'keep' ? '' : ` on="${encodeXml(p.on.join(','))}"`}${to}/>`;
}

/** The line break the document uses (CRLF when it has any). */
export function newlineOf(xml: string): string {
  return xml.includes('\r\n') ? '\r\n' : '\n';
}

/** The whitespace before an element on its line (its indentation), or two spaces. */
export function indentOf(xml: string, el: XmlElement | undefined): string {
  if (!el) return '  ';
  const ls = xml.lastIndexOf('\n', el.start - 1) + 1;
  const ws = xml.slice(ls, el.start);
  return /^[ \t]*$/.test(ws) ? ws : '  ';
}

/** The edit that replaces the text of `root`'s simple child element `name`, or inserts it after `after`. */
export function setTextEdit(xml: string, root: XmlElement, name: string, value: string, after: XmlElement | undefined): Edit {
  const el = child(root, name);
  if (el && !el.selfClosing) return { start: el.openEnd, end: el.closeStart, text: encodeXml(value) };
  if (el) return { start: el.start, end: el.end, text: `<${name}>${encodeXml(value)}</${name}>` };
  const nl = newlineOf(xml);
  const at = after?.end ?? root.openEnd;
  return { start: at, end: at, text: `${nl}${indentOf(xml, after)}<${name}>${encodeXml(value)}</${name}>` };
}

/**
 * The edits that point a disk element at the qcow2 image `path`: its source file, its driver's type (added when
 * missing), and no explicit backingStore (it would describe the old chain: libvirt probes the new one).
 */
export function diskSourceEdits(xml: string, disk: XmlElement, path: string, label: string): Edit[] {
  const edits: Edit[] = [];
  const srcEl = child(disk, 'source');
  const src = attr(srcEl, 'file');
  if (!srcEl || !src) throw new XmlError(`Disk ${label} has no source file.`);
  edits.push({ start: src.valueStart, end: src.valueEnd, text: encodeXml(path) });
  const driver = child(disk, 'driver');
  const type = attr(driver, 'type');
  if (type) edits.push({ start: type.valueStart, end: type.valueEnd, text: 'qcow2' });
  else if (driver) {
    const at = driver.selfClosing ? driver.openEnd - 2 : driver.openEnd - 1;
    edits.push({ start: at, end: at, text: ` type='qcow2'` });
  } else {
    // On a line of its own when <source> has one; otherwise right before it.
    const ls = xml.lastIndexOf('\n', srcEl.start - 1) + 1;
    const own = /^[ \t]*$/.test(xml.slice(ls, srcEl.start));
    edits.push({ start: srcEl.start, end: srcEl.start, text: `<driver name='qemu' type='qcow2'/>${own ? `${newlineOf(xml)}${indentOf(xml, srcEl)}` : ''}` });
  }
  const backing = child(disk, 'backingStore');
  if (backing) edits.push({ start: backing.start, end: backing.end, text: '' });
  return edits;
}

/** Edit that puts our bookkeeping element into <metadata> (replacing ours, keeping others' elements). */
export function metaEdit(d: ParsedDomain, meta: CloneMeta): Edit {
  const nl = newlineOf(d.xml);
  const md = child(d.root, 'metadata');
  const ours = ourElement(d.root);
  if (ours) {
    const ind = indentOf(d.xml, ours);
    return { start: ours.start, end: ours.end, text: metaElement(meta, nl, ind) };
  }
  if (md && !md.selfClosing) {
    const ind = `${indentOf(d.xml, md)}  `;
    return { start: md.openEnd, end: md.openEnd, text: `${nl}${ind}${metaElement(meta, nl, ind)}` };
  }
  const anchor = child(d.root, 'uuid') ?? child(d.root, 'name');
  const ind = indentOf(d.xml, anchor);
  const text = `<metadata>${nl}${ind}  ${metaElement(meta, nl, `${ind}  `)}${nl}${ind}</metadata>`;
  if (md) return { start: md.start, end: md.end, text };
  const at = anchor?.end ?? d.root.openEnd;
  return { start: at, end: at, text: `${nl}${ind}${text}` };
}

export interface CloneEdits {
  readonly name: string;
  readonly uuid: string;
  /** A new MAC for each <interface> (called once per interface). */
  readonly mac: () => string;
  /** New source path per disk index (overlays are qcow2). */
  readonly overlays: ReadonlyMap<number, string>;
  readonly meta: CloneMeta;
}

/** A clone's XML from its template's: new name, uuid, MACs, overlay disks (qcow2) and our metadata. */
export function cloneXml(templateXml: string, e: CloneEdits): string {
  const d = parseDomain(templateXml);
  const edits: Edit[] = [];
  const nameEl = child(d.root, 'name');
  if (!nameEl) throw new XmlError('The template XML has no <name>.');
  edits.push(setTextEdit(d.xml, d.root, 'name', e.name, undefined));
  // A uuid goes right after <name>; uuid and metadata inserted at the same point must come out in that order.
  const uuidEdit = setTextEdit(d.xml, d.root, 'uuid', e.uuid, nameEl);
  const mEdit = metaEdit(d, e.meta);
  if (uuidEdit.start === uuidEdit.end && mEdit.start === mEdit.end && mEdit.start === uuidEdit.start)
    edits.push({ start: uuidEdit.start, end: uuidEdit.end, text: uuidEdit.text + mEdit.text.replace(/^(\r?\n)[ \t]*/, `$1${indentOf(d.xml, nameEl)}`) });
  else edits.push(uuidEdit, mEdit);
  const devices = child(d.root, 'devices');
  for (const itf of devices ? childrenNamed(devices, 'interface') : []) {
    const mac = attr(child(itf, 'mac'), 'address');
    if (mac) edits.push({ start: mac.valueStart, end: mac.valueEnd, text: e.mac() });
  }
  for (const disk of d.disks) {
    const path = e.overlays.get(disk.index);
    if (path === undefined) continue;
    edits.push(...diskSourceEdits(templateXml, disk.el, path, String(disk.target ?? disk.index)));
  }
  return applyEdits(templateXml, edits);
}

/** Our bookkeeping from the output of `dumpxml --xpath /domain/metadata` (empty when the domain has none). */
export function readMetaSnippet(snippet: string): CloneMeta | undefined {
  if (!snippet.trim()) return undefined;
  return readMeta(scanWellFormedXml(`<domain>${snippet}</domain>`));
}
