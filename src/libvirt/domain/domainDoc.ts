/**
 * Reading and changing a template's domain XML for the template commands: its name, its disks, and the parts a
 * new domain must not share (UUID, MAC addresses). Read with the one XML reader (core/xmlScan.ts) and changed by
 * splicing the text, like a clone's XML: every byte not changed stays as it was (quotes, comments, order, line
 * breaks). Pure: no I/O.
 */
import { XMLValidator } from 'fast-xml-parser';
import { XmlError } from '../../core/errors';
import { attr, child, childrenNamed, scanXml, textOf, type XmlElement } from '../../core/xmlScan';
import { applyEdits, diskSourceEdits, indentOf, newlineOf, setTextEdit, type Edit } from './domainModel';

/** A disk of a domain that clones get an overlay for: a writable file disk. */
export interface TemplateDisk {
  readonly target: string;
  readonly source: string;
  readonly format: string;
}

function readDomain(xml: string): XmlElement {
  let root: XmlElement;
  try {
    root = scanXml(xml);
  } catch (e) {
    if (e instanceof XmlError) throw new XmlError(`Not well-formed XML: ${e.message}`);
    throw e;
  }
  if (root.name !== 'domain') throw new XmlError('Not a libvirt domain document: the root element is not <domain>.');
  return root;
}

/** The edit that removes `el`, with the line break and indentation before it when it stands on a line of its own. */
function removal(xml: string, el: XmlElement): Edit {
  const ls = xml.lastIndexOf('\n', el.start - 1);
  if (ls < 0 || !/^[ \t]*$/.test(xml.slice(ls + 1, el.start))) return { start: el.start, end: el.end, text: '' };
  return { start: xml[ls - 1] === '\r' ? ls - 1 : ls, end: el.end, text: '' };
}

/** A domain document that can be changed and written back. */
export class DomainDoc {
  private xml: string;
  private root: XmlElement;

  constructor(xml: string) {
    const wellFormed = XMLValidator.validate(xml);
    if (wellFormed !== true) {
      throw new XmlError(`Not well-formed XML (line ${wellFormed.err.line}): ${wellFormed.err.msg}`);
    }
    this.root = readDomain(xml);
    this.xml = xml;
  }

  private edit(edits: readonly Edit[]): void {
    if (!edits.length) return;
    const xml = applyEdits(this.xml, edits);
    this.root = readDomain(xml);
    this.xml = xml;
  }

  get name(): string {
    return textOf(this.xml, child(this.root, 'name')) ?? '';
  }

  set name(value: string) {
    this.edit([setTextEdit(this.xml, this.root, 'name', value, undefined)]);
  }

  /** The file disks clones overlay (not cdroms, not read-only or shared disks). */
  disks(): TemplateDisk[] {
    return this.diskElements().map((d) => ({
      target: attr(child(d, 'target'), 'dev')?.value ?? '',
      source: attr(child(d, 'source'), 'file')?.value ?? '',
      format: attr(child(d, 'driver'), 'type')?.value ?? 'raw',
    }));
  }

  /** Points the disk with target `target` at `file` (a qcow2 image). */
  setDiskSource(target: string, file: string): void {
    const d = this.diskElements().find((x) => attr(child(x, 'target'), 'dev')?.value === target);
    if (!d) throw new XmlError(`The domain has no file disk with target ${target}.`);
    this.edit(diskSourceEdits(this.xml, d, file, target));
  }

  /** Drops the UUID and the MAC addresses, so libvirt generates new ones for a new domain. */
  forgetIdentity(): void {
    const devices = child(this.root, 'devices');
    const gone = [child(this.root, 'uuid'), ...(devices ? childrenNamed(devices, 'interface') : []).map((i) => child(i, 'mac'))];
    this.edit(gone.filter((el): el is XmlElement => el !== undefined).map((el) => removal(this.xml, el)));
  }

  /** Puts the raw XML `element` into <metadata>, replacing the element of the same (prefixed) name. */
  setMetadata(element: string): void {
    const name = scanXml(element).name;
    const nl = newlineOf(this.xml);
    const md = child(this.root, 'metadata');
    const same = md && child(md, name);
    if (same) return this.edit([{ start: same.start, end: same.end, text: element }]);
    const ind = indentOf(this.xml, md ?? child(this.root, 'name'));
    if (md && !md.selfClosing) return this.edit([{ start: md.openEnd, end: md.openEnd, text: `${nl}${ind}  ${element}` }]);
    const text = `<metadata>${nl}${ind}  ${element}${nl}${ind}</metadata>`;
    if (md) return this.edit([{ start: md.start, end: md.end, text }]);
    const anchor = child(this.root, 'uuid') ?? child(this.root, 'name');
    const at = anchor?.end ?? this.root.openEnd;
    this.edit([{ start: at, end: at, text: `${nl}${ind}${text}` }]);
  }

  toString(): string {
    return this.xml;
  }

  private diskElements(): XmlElement[] {
    const devices = child(this.root, 'devices');
    return (devices ? childrenNamed(devices, 'disk') : [])
      // libvirt's default type is file: a disk without the attribute is a file disk here as in parseDomain (domainModel.ts).
      .filter((d) => (attr(d, 'type')?.value ?? 'file') === 'file' && (attr(d, 'device')?.value ?? 'disk') === 'disk')
      .filter((d) => !child(d, 'readonly') && !child(d, 'shareable'));
  }
}
