/**
 * Reading and changing a template's domain XML for the template commands: its name, its disks, and the parts a
 * new domain must not share (UUID, MAC addresses). Order-preserving parse and build, so comments and element order
 * survive. Pure: no I/O.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { XmlError } from '../../core/errors';

type XNode = Record<string, unknown>;
const options = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  commentPropName: '#comment',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  suppressEmptyNode: true,
  format: false,
} as const;

/** A disk of a domain that clones get an overlay for: a writable file disk. */
export interface TemplateDisk {
  readonly target: string;
  readonly source: string;
  readonly format: string;
}

const tagOf = (n: XNode): string | undefined => Object.keys(n).find((k) => k !== ':@');
const kids = (n: XNode): XNode[] => (n[tagOf(n) ?? ''] as XNode[] | undefined) ?? [];
const attrs = (n: XNode): Record<string, string> => (n[':@'] as Record<string, string> | undefined) ?? {};
const child = (n: XNode, tag: string): XNode | undefined => kids(n).find((c) => tagOf(c) === tag);
const text = (n: XNode | undefined): string =>
  n ? kids(n).map((c) => (typeof c['#text'] === 'string' ? c['#text'] : '')).join('').trim() : '';

/** A parsed domain document that can be changed and written back. */
export class DomainDoc {
  private readonly nodes: XNode[];
  private readonly domain: XNode;

  constructor(xml: string) {
    const wellFormed = XMLValidator.validate(xml);
    if (wellFormed !== true) {
      throw new XmlError(`Not well-formed XML (line ${wellFormed.err.line}): ${wellFormed.err.msg}`);
    }
    try {
      this.nodes = new XMLParser(options).parse(xml) as XNode[];
    } catch (e) {
      throw new XmlError(`Not well-formed XML: ${(e as Error).message}`);
    }
    const domain = this.nodes.find((n) => tagOf(n) === 'domain');
    if (!domain) throw new XmlError('Not a libvirt domain document: the root element is not <domain>.');
    this.domain = domain;
  }

  get name(): string {
    return text(child(this.domain, 'name'));
  }

  set name(value: string) {
    const n = child(this.domain, 'name');
    if (n) n['name'] = [{ '#text': value }];
    else kids(this.domain).unshift({ name: [{ '#text': value }] });
  }

  /** The file disks clones overlay (not cdroms, not read-only or shared disks). */
  disks(): TemplateDisk[] {
    return this.diskNodes().map(({ node }) => ({
      target: attrs(child(node, 'target') ?? {})['@_dev'] ?? '',
      source: attrs(child(node, 'source') ?? {})['@_file'] ?? '',
      format: attrs(child(node, 'driver') ?? {})['@_type'] ?? 'raw',
    }));
  }

  /** Points the disk with target `target` at `file` (a qcow2 image). */
  setDiskSource(target: string, file: string): void {
    const d = this.diskNodes().find((x) => attrs(child(x.node, 'target') ?? {})['@_dev'] === target);
    if (!d) throw new XmlError(`The domain has no file disk with target ${target}.`);
    const src = child(d.node, 'source');
    if (src) src[':@'] = { ...attrs(src), '@_file': file };
    const drv = child(d.node, 'driver');
    if (drv) drv[':@'] = { ...attrs(drv), '@_type': 'qcow2' };
    else kids(d.node).unshift({ driver: [], ':@': { '@_name': 'qemu', '@_type': 'qcow2' } });
    // An explicit backingStore would describe the old chain: let libvirt probe the new one.
    const list = kids(d.node);
    const i = list.findIndex((c) => tagOf(c) === 'backingStore');
    if (i >= 0) list.splice(i, 1);
  }

  /** Drops the UUID and the MAC addresses, so libvirt generates new ones for a new domain. */
  forgetIdentity(): void {
    const list = kids(this.domain);
    const i = list.findIndex((c) => tagOf(c) === 'uuid');
    if (i >= 0) list.splice(i, 1);
    for (const iface of kids(child(this.domain, 'devices') ?? {}).filter((c) => tagOf(c) === 'interface')) {
      const l = kids(iface);
      const j = l.findIndex((c) => tagOf(c) === 'mac');
      if (j >= 0) l.splice(j, 1);
    }
  }

  /** Replaces <metadata> content's element `tag` (with its namespace) by raw XML `element`. */
  setMetadata(element: string): void {
    const parsed = new XMLParser(options).parse(element) as XNode[];
    let meta = child(this.domain, 'metadata');
    if (!meta) {
      meta = { metadata: [] };
      kids(this.domain).push(meta);
    }
    const tag = tagOf(parsed[0] ?? {});
    const list = kids(meta);
    const i = list.findIndex((c) => tagOf(c) === tag);
    if (i >= 0) list.splice(i, 1, ...parsed);
    else list.push(...parsed);
  }

  toString(): string {
    return new XMLBuilder(options).build(this.nodes) as string;
  }

  private diskNodes(): { node: XNode }[] {
    const devices = child(this.domain, 'devices');
    return kids(devices ?? {})
      .filter((c) => tagOf(c) === 'disk')
      // libvirt's default type is file: a disk without the attribute is a file disk here as in parseDomain (domainModel.ts).
      .filter((d) => (attrs(d)['@_type'] ?? 'file') === 'file' && (attrs(d)['@_device'] ?? 'disk') === 'disk')
      .filter((d) => !child(d, 'readonly') && !child(d, 'shareable'))
      .map((node) => ({ node }));
  }
}
