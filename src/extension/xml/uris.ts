/**
 * The addresses of domain XML documents: `qq2clone-xml:/<template>.xml` for a template's file and
 * `qq2clone-xml:/<template>/<number>.xml` for a clone's libvirt definition. No vscode: plain strings.
 */

/** Our URI scheme; also the language id of these documents. */
export const XML_SCHEME = 'qq2clone-xml';
export const XML_LANGUAGE = 'qq2clone-xml';
/** Read-only copies of what libvirt (or the template file) holds now, for comparing. */
export const CURRENT_SCHEME = 'qq2clone-xml-current';

export type XmlTarget = { readonly kind: 'template'; readonly template: string } | { readonly kind: 'clone'; readonly template: string; readonly id: number };

/** The path part of a document's URI. */
export function xmlPath(t: XmlTarget): string {
  const name = encodeURIComponent(t.template);
  return t.kind === 'template' ? `/${name}.xml` : `/${name}/${t.id}.xml`;
}

/** The target a URI path names, or undefined when it names none. */
export function parseXmlPath(p: string): XmlTarget | undefined {
  let m = /^\/([^/]+)\.xml$/.exec(p);
  if (m) return { kind: 'template', template: decodeURIComponent(m[1]!) };
  m = /^\/([^/]+)\/(\d+)\.xml$/.exec(p);
  if (m) return { kind: 'clone', template: decodeURIComponent(m[1]!), id: Number(m[2]) };
  return undefined;
}

export function describeTarget(t: XmlTarget): string {
  return t.kind === 'template' ? `template ${t.template}` : `clone ${t.id} of ${t.template}`;
}
