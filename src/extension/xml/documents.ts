/**
 * What the XML commands do with the documents: open one, save without validation, compare with what libvirt (or
 * the template file) holds now. The file system is set by registerXmlDocuments.
 */
import * as vscode from 'vscode';
import { validateDomainXml } from '../../libvirt/validation';
import type { DomainXmlFileSystem } from './fileSystem';
import { CURRENT_SCHEME, XML_LANGUAGE, XML_SCHEME, parseXmlPath, xmlPath, type XmlTarget } from './uris';

let fileSystem: DomainXmlFileSystem | undefined;

export function setFileSystem(fs: DomainXmlFileSystem | undefined): void {
  fileSystem = fs;
}

export function documentUri(t: XmlTarget): vscode.Uri {
  return vscode.Uri.from({ scheme: XML_SCHEME, path: xmlPath(t) });
}

/** Opens (or shows) the document of a template or a clone, in our language. */
export async function openXml(t: XmlTarget): Promise<vscode.TextEditor> {
  let doc = await vscode.workspace.openTextDocument(documentUri(t));
  if (doc.languageId !== XML_LANGUAGE) doc = await vscode.languages.setTextDocumentLanguage(doc, XML_LANGUAGE);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** The domain XML document a command acts on: the given URI, or the active editor's. */
export function targetDocument(arg: unknown): vscode.TextDocument | undefined {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== XML_SCHEME || !parseXmlPath(uri.path)) return undefined;
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
}

/** Saves without the schema check (libvirt sometimes accepts what its schema rejects). */
export async function saveWithoutValidation(doc: vscode.TextDocument): Promise<boolean> {
  if (!fileSystem) return false;
  const key = doc.uri.toString();
  fileSystem.skipValidation.add(key);
  try {
    return await doc.save();
  } finally {
    fileSystem.skipValidation.delete(key);
  }
}

/**
 * Saves after validating: invalid XML is not handed to the save at all (so no generic "Unable to write file"), the
 * user is told why with actions, and the document stays dirty. Resolves to whether it was saved.
 */
export async function saveValidated(doc: vscode.TextDocument): Promise<boolean> {
  if (!fileSystem) return false;
  const r = await validateDomainXml(doc.getText());
  if (!r.valid) {
    fileSystem.onInvalid(doc.uri, r.problems);
    return false;
  }
  return doc.save();
}

/** Side by side: what libvirt (or the template file) holds now, and the document. */
export async function compareWithCurrent(uri: vscode.Uri): Promise<void> {
  const t = parseXmlPath(uri.path);
  const name = t ? (t.kind === 'template' ? `${t.template}.xml` : `${t.template}/${t.id}.xml`) : uri.path;
  const current = uri.with({ scheme: CURRENT_SCHEME, query: String(Date.now()) });
  await vscode.commands.executeCommand('vscode.diff', current, uri, `${name}: now in libvirt ↔ yours`);
}

/** Accepts what the domain is now as the base of the document, then saves it (an explicit overwrite). */
export async function overwrite(doc: vscode.TextDocument): Promise<boolean> {
  if (!fileSystem) return false;
  fileSystem.rebase(doc.uri, await fileSystem.current(doc.uri));
  return doc.save();
}

/** What libvirt holds now, for the read-only side of a comparison. */
export function currentText(uri: vscode.Uri): Promise<string> {
  if (!fileSystem) return Promise.resolve('');
  return fileSystem.current(uri.with({ scheme: XML_SCHEME, query: '' }));
}
