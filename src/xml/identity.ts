/**
 * What a domain XML says about whose it is: name, UUID and our clone metadata. Pure text work: the user's text is
 * never reformatted, only the metadata element is put back when an edit removed it.
 */
import { scanXml, type ScannedElement } from '../validation/scan';
import { CLONE_NS } from '../libvirt/domain';

export interface DomainIdentity {
  readonly name?: string;
  readonly uuid?: string;
  /** Our <metadata> element (the text as written), if present. */
  readonly metadata?: string;
}

const textOf = (text: string, el: ScannedElement | undefined): string | undefined => {
  if (!el) return undefined;
  const inner = text.slice(el.start, el.end).replace(/^<[^>]*>/, '').replace(/<\/[^>]*>$/, '');
  return inner.trim();
};

function ours(root: ScannedElement): ScannedElement | undefined {
  const meta = root.children.find((c) => c.name === 'metadata');
  return meta?.children.find((c) => c.attributes.includes(CLONE_NS));
}

export function domainIdentity(text: string): DomainIdentity {
  const root = scanXml(text);
  if (!root || root.name !== 'domain') return {};
  const name = textOf(text, root.children.find((c) => c.name === 'name'));
  const uuid = textOf(text, root.children.find((c) => c.name === 'uuid'))?.toLowerCase();
  const m = ours(root);
  return {
    ...(name !== undefined ? { name } : {}),
    ...(uuid !== undefined ? { uuid } : {}),
    ...(m ? { metadata: text.slice(m.start, m.end) } : {}),
  };
}

/** `text` with `element` added to <metadata> (made if missing), or unchanged when ours is already there. */
export function withMetadata(text: string, element: string): string {
  const root = scanXml(text);
  if (!root || root.name !== 'domain' || ours(root)) return text;
  const meta = root.children.find((c) => c.name === 'metadata');
  if (meta) {
    const body = text.slice(meta.start, meta.end);
    if (body.endsWith('/>')) {
      return text.slice(0, meta.start) + `<metadata>\n    ${element}\n  </metadata>` + text.slice(meta.end);
    }
    const close = meta.end - '</metadata>'.length;
    return text.slice(0, close) + `  ${element}\n  ` + text.slice(close);
  }
  const close = text.lastIndexOf('</domain>');
  return `${text.slice(0, close)}  <metadata>\n    ${element}\n  </metadata>\n${text.slice(close)}`;
}
