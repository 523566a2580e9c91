/**
 * Domain XML documents in the real extension host against the real daemon: diagnostics appear on the line at fault
 * and go when fixed or closed; an invalid save is refused (document dirty, domain unchanged per virsh); a valid save
 * redefines the clone (virsh dumpxml) and keeps the user's text; a domain changed meanwhile is not overwritten.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { virsh } from '../testbed';
import { CloneBed } from './util/cloneBed';
import { waitFor } from './util/extension';

const dumpxml = (name: string): string => virsh('dumpxml', '--inactive', name);

/** Replaces the first occurrence of `from` in the document (through the editor, as typing would). */
async function replaceIn(doc: vscode.TextDocument, from: string | RegExp, to: string): Promise<void> {
  const text = doc.getText();
  const m = typeof from === 'string' ? { index: text.indexOf(from), 0: from } : from.exec(text);
  assert.ok(m && m.index >= 0, `document contains ${String(from)}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(m.index), doc.positionAt(m.index + m[0].length)), to);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

const lineOf = (doc: vscode.TextDocument, needle: string): number => doc.positionAt(doc.getText().indexOf(needle)).line;

function diagnosticsOf(doc: vscode.TextDocument): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(doc.uri);
}

async function openClone(b: CloneBed, id: number): Promise<vscode.TextDocument> {
  const editor = (await vscode.commands.executeCommand('qq2clone.editXml', { template: b.template.name, id })) as vscode.TextEditor;
  return editor.document;
}

/** Reverts what a test left unsaved (so the next one reads afresh) and closes every editor. */
async function closeAll(): Promise<void> {
  for (const d of vscode.workspace.textDocuments.filter((x) => x.uri.scheme === 'qq2clone-xml' && x.isDirty)) {
    await vscode.window.showTextDocument(d);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('domain XML documents', function () {
  this.timeout(180_000);
  let b: CloneBed;
  let name: string;
  before(async () => {
    b = await CloneBed.open('xmldoc');
    const [clone] = await b.makeClones(1);
    name = clone!.clone.name;
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await b?.close();
  });
  afterEach(closeAll);

  it('shows a problem on the line at fault while typing, and nothing once fixed or closed', async () => {
    const editor = (await vscode.commands.executeCommand('qq2clone.editXml', { template: b.template.name })) as vscode.TextEditor;
    const doc = editor.document;
    assert.equal(doc.uri.scheme, 'qq2clone-xml');
    assert.equal(doc.languageId, 'qq2clone-xml');
    assert.match(doc.getText(), new RegExp(`<name>${b.template.name}</name>`));
    await replaceIn(doc, "<target dev='vda' bus='virtio'/>", "<target dev='vda' bus='virtio' cache='fast'/>");
    const line = lineOf(doc, "cache='fast'");
    const d = await waitFor('the diagnostic of the bad attribute', () => diagnosticsOf(doc).find((x) => x.range.start.line === line));
    assert.equal(d.message, "<target>: attribute 'cache' is unknown or its value is invalid");
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    await replaceIn(doc, " cache='fast'", '');
    await waitFor('no diagnostics after the fix', () => (diagnosticsOf(doc).length === 0 ? true : undefined));
    await replaceIn(doc, '<vcpu>', '<vcpu>x');
    await waitFor('a diagnostic again', () => (diagnosticsOf(doc).length > 0 ? true : undefined));
    const uri = doc.uri;
    await closeAll();
    await waitFor('no diagnostics after close', () => (vscode.languages.getDiagnostics(uri).length === 0 ? true : undefined));
  });

  it('saves a valid template to its file exactly as typed, comments included', async () => {
    const editor = (await vscode.commands.executeCommand('qq2clone.openTemplateXml', { template: b.template.name })) as vscode.TextEditor;
    const doc = editor.document;
    await replaceIn(doc, '<vcpu>1</vcpu>', '<vcpu>2</vcpu>   <!-- two for the build -->');
    assert.equal(await doc.save(), true);
    assert.equal(fs.readFileSync(b.template.xmlPath, 'utf8'), doc.getText());
  });

  it('refuses to save an invalid clone: the document stays dirty and libvirt keeps the old definition', async () => {
    const before = dumpxml(name);
    const doc = await openClone(b, 1);
    assert.match(doc.getText(), new RegExp(`<name>${name}</name>`));
    await replaceIn(doc, /<memory unit='KiB'>/, "<memory unit='KiBB'>");
    assert.equal(await doc.save(), false);
    assert.equal(doc.isDirty, true);
    assert.equal(dumpxml(name), before);
  });

  it('saves a valid clone: libvirt has the new definition, the editor keeps the text as typed', async () => {
    const doc = await openClone(b, 1);
    await replaceIn(doc, /<memory unit='KiB'>\d+<\/memory>/, "<memory unit='KiB'>65536</memory> <!-- doubled -->");
    const typed = doc.getText();
    assert.equal(await doc.save(), true);
    assert.equal(doc.isDirty, false);
    assert.match(dumpxml(name), /<memory unit='KiB'>65536<\/memory>/);
    assert.equal(doc.getText(), typed);
  });

  it('does not overwrite a domain changed since the document was opened, and compares on request', async () => {
    const doc = await openClone(b, 1);
    virsh('desc', name, '--config', '--new-desc', 'changed elsewhere');
    await replaceIn(doc, '</domain>', '  <description>mine</description>\n</domain>');
    assert.equal(await doc.save(), false);
    assert.equal(doc.isDirty, true);
    assert.match(dumpxml(name), /<description>changed elsewhere<\/description>/);
    await vscode.commands.executeCommand('qq2clone.compareXml', doc.uri);
    const tab = await waitFor('the comparison', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    });
    assert.equal(tab.modified.toString(), doc.uri.toString());
    const current = await vscode.workspace.openTextDocument(tab.original);
    assert.match(current.getText(), /changed elsewhere/);
  });

  it('keeps the clone ours when an edit drops the metadata, and refuses another UUID', async () => {
    const doc = await openClone(b, 1);
    await replaceIn(doc, /<metadata>[\s\S]*<\/metadata>\s*/, '');
    await replaceIn(doc, /<vcpu placement='static'>1<\/vcpu>/, "<vcpu placement='static'>2</vcpu>");
    assert.equal(await doc.save(), true);
    const now = dumpxml(name);
    assert.match(now, /<vcpu placement='static'>2<\/vcpu>/);
    assert.match(now, /xmlns\/clone\/1/);
    await vscode.commands.executeCommand('qq2clone.refresh');
    assert.equal(b.cloneNode(1).clone.name, name);

    const doc2 = await openClone(b, 1);
    await replaceIn(doc2, /<uuid>[0-9a-f-]+<\/uuid>/, '<uuid>00000000-1111-2222-3333-444444444444</uuid>');
    assert.equal(await doc2.save(), false);
    assert.equal(virsh('domuuid', name).trim(), b.cloneNode(1).clone.uuid);
  });

  it('"Save Without Validation" hands libvirt what the schema rejects', async () => {
    const doc = await openClone(b, 1);
    await replaceIn(doc, '</domain>', '  <unknownToTheSchema/>\n</domain>');
    assert.equal(await doc.save(), false);
    assert.equal(await vscode.commands.executeCommand('qq2clone.saveXmlWithoutValidation', doc.uri), true);
    assert.equal(doc.isDirty, false);
    assert.doesNotMatch(dumpxml(name), /unknownToTheSchema/);
  });
});
