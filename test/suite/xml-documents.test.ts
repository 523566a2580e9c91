/**
 * Domain XML documents in the real extension host against the real daemon: diagnostics appear on the line at fault
 * and go when fixed or closed; an invalid save is refused (document dirty, domain unchanged per virsh); a valid save
 * redefines the clone (virsh dumpxml) and keeps the user's text; a domain changed meanwhile is not overwritten.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { tryVirsh, virsh } from '../testbed';
import { CloneBed, virshState } from './util/cloneBed';
import { waitFor } from './util/extension';
import { ServiceHost } from '../../src/extension/serviceHost';
import { DomainXmlFileSystem } from '../../src/extension/xml/fileSystem';

const dumpxml = (name: string): string => virsh('dumpxml', '--inactive', name);
/** Target and source of each disk (virsh domblklist), to check that a redefinition keeps the storage. */
const blockList = (name: string): string => virsh('domblklist', name);

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
  let autoSave: unknown;
  before(async () => {
    // code-server saves after a second by default: a test's own save() would find nothing left to save.
    const files = vscode.workspace.getConfiguration('files');
    autoSave = files.inspect('autoSave')?.globalValue;
    await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    b = await CloneBed.open('xmldoc');
    const [clone] = await b.makeClones(1);
    name = clone!.clone.name;
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await b?.close();
    await vscode.workspace.getConfiguration('files').update('autoSave', autoSave, vscode.ConfigurationTarget.Global);
  });
  afterEach(closeAll);

  it('shows the problems of a document that is already invalid when it is opened', async () => {
    const file = b.template.xmlPath;
    const original = fs.readFileSync(file, 'utf8');
    const broken = original.replace("<boot dev='hd'/>", "<boot dev='hdx'/>");
    assert.notEqual(broken, original, "the template has a <boot dev='hd'/> to break");
    assert.equal(vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'qq2clone-xml'), false, 'no document of ours open yet');
    fs.writeFileSync(file, broken);
    // The clean-up restores the file; what it finds wrong is asserted after it, so that it never hides the test's
    // own failure (an assertion inside finally would replace it).
    const cleanupProblems: string[] = [];
    try {
      const editor = (await vscode.commands.executeCommand('qq2clone.editXml', { template: b.template.name })) as vscode.TextEditor;
      const doc = editor.document;
      assert.equal(doc.getText(), broken);
      const line = lineOf(doc, "dev='hdx'");
      const d = await waitFor('the diagnostic of the document as opened', () => diagnosticsOf(doc).find((x) => x.range.start.line === line));
      assert.equal(d.message, "<boot>: dev='hdx' is not allowed (expected one of: hd, fd, cdrom, network)");
      assert.equal(doc.isDirty, false, 'nothing was typed: the diagnostic comes from opening');
    } finally {
      fs.writeFileSync(file, original);
      // An edit reverted reads the file again: the next test opens the template as it is now, without problems.
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'qq2clone-xml');
      if (doc) {
        // The file just changed under the document: VS Code may be reloading it and refuse an edit for a moment.
        for (let i = 0; i < 20; i++) {
          const edit = new vscode.WorkspaceEdit();
          const at = doc.positionAt(doc.getText().indexOf('<domain') + '<domain'.length);
          edit.insert(doc.uri, at, ' ');
          if (await vscode.workspace.applyEdit(edit)) break;
          if (i === 19) cleanupProblems.push('the document took no edit for 4 s after its file changed');
          await new Promise((r) => setTimeout(r, 200));
        }
        await closeAll();
        if (doc.getText() !== original) cleanupProblems.push('the document does not read the restored file');
        else {
          await waitFor('no diagnostics once the file is fixed', () => (diagnosticsOf(doc).length === 0 ? true : undefined)).catch((e: unknown) =>
            cleanupProblems.push(String(e)),
          );
        }
      }
    }
    assert.deepEqual(cleanupProblems, [], 'the document follows its file back to the original');
  });

  it('shows a problem on the line at fault while typing, and nothing once fixed or closed', async () => {
    const editor = (await vscode.commands.executeCommand('qq2clone.editXml', { template: b.template.name })) as vscode.TextEditor;
    const doc = editor.document;
    assert.equal(doc.uri.scheme, 'qq2clone-xml');
    assert.equal(doc.languageId, 'qq2clone-xml');
    assert.match(doc.getText(), new RegExp(`<name>${b.template.name}</name>`));
    await replaceIn(doc, "<target dev='vda' bus='virtio'/>", "<target dev='vda' bus='virtio' cache='fast'/>");
    const line = lineOf(doc, "cache='fast'");
    const d = await waitFor('the diagnostic of the bad attribute', () => diagnosticsOf(doc).find((x) => x.range.start.line === line));
    assert.equal(d.message, "<target>: unknown attribute 'cache'");
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

  it("refuses to change a template's <name> in its document (as the CLI's edit): document dirty, file unchanged", async () => {
    const before = fs.readFileSync(b.template.xmlPath, 'utf8');
    const files = fs.readdirSync(path.dirname(b.template.xmlPath)).sort();
    const editor = (await vscode.commands.executeCommand('qq2clone.openTemplateXml', { template: b.template.name })) as vscode.TextEditor;
    const doc = editor.document;
    await replaceIn(doc, `<name>${b.template.name}</name>`, `<name>${b.template.name}-x</name>`);
    assert.equal(await doc.save(), false);
    assert.equal(doc.isDirty, true);
    assert.equal(fs.readFileSync(b.template.xmlPath, 'utf8'), before);
    assert.deepEqual(fs.readdirSync(path.dirname(b.template.xmlPath)).sort(), files, 'no file for the new name');
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

  it('a refused save says the clone was not defined because its XML is invalid, with actions; the problem covers the value', async () => {
    const before = dumpxml(name);
    const doc = await openClone(b, 1);
    await replaceIn(doc, /(?<=<vcpu[^>]*>)\d+(?=<\/vcpu>)/, 'abc');
    const want = ['Show Problems', 'Save Without Validation', 'Compare with Defined XML'];
    const refusal = (from: number) =>
      b.notices.slice(from).find((n) => /^Not saved: clone 1 of .* was not defined because its XML is invalid: line \d+: <vcpu>/.test(n.message));
    // Ctrl+S (qq2clone.saveXml) validates first: nothing is written, the user is told why.
    let from = b.notices.length;
    assert.equal(await vscode.commands.executeCommand('qq2clone.saveXml', doc.uri), false);
    assert.deepEqual(refusal(from)?.actions, want, b.noticesText(from));
    assert.equal(doc.isDirty, true);
    assert.equal(dumpxml(name), before);
    // A save that reaches the file system (the File menu, auto-save) fails the same way and says the same.
    from = b.notices.length;
    assert.equal(await doc.save(), false);
    assert.deepEqual(refusal(from)?.actions, want, b.noticesText(from));
    assert.equal(doc.isDirty, true);
    assert.equal(dumpxml(name), before);
    // The problem covers the value at fault, not the element's line.
    const d = await waitFor('a diagnostic on <vcpu>', () => diagnosticsOf(doc).find((x) => /vcpu/.test(x.message)));
    assert.equal(doc.getText(d.range), 'abc');
    // "Compare with Defined XML" opens the comparison with what libvirt holds.
    const notify = b.api.prompts.notify;
    b.api.prompts.notify = (severity, message, ...actions) => (notify(severity, message, ...actions), Promise.resolve(actions.includes(want[2]!) ? want[2] : undefined));
    try {
      assert.equal(await vscode.commands.executeCommand('qq2clone.saveXml', doc.uri), false);
      await waitFor('the comparison tab', () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === doc.uri.toString())
          ? true
          : undefined,
      );
    } finally {
      b.api.prompts.notify = notify;
    }
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

  describe('the base of a save (the provider of the extension, on its own service)', () => {
    // The registered provider is reached only through documents, and the workbench decides when it reads a document
    // again and when it reports one closed; here the provider runs the calls a workbench makes, in the order that
    // loses a change: read, close reported (forget), the same text saved; or stat, then a save without a read.
    let host: ServiceHost;
    let provider: DomainXmlFileSystem;
    let out: vscode.LogOutputChannel;
    before(() => {
      host = new ServiceHost();
      out = vscode.window.createOutputChannel('qq2clone base test', { log: true });
      provider = new DomainXmlFileSystem(host, out);
    });
    after(() => {
      provider.dispose();
      host.dispose();
      out.dispose();
    });
    const uri = (): vscode.Uri => vscode.Uri.parse(`qq2clone-xml:/${b.template.name}/1.xml`);
    const encode = (t: string): Uint8Array => new TextEncoder().encode(t);

    it('a document closed and opened again is still saved only over the text it began from', async () => {
      const began = new TextDecoder().decode(await provider.readFile(uri()));
      provider.forget(uri()); // the close is reported; the workbench hands back the document it had
      virsh('desc', name, '--config', '--new-desc', 'changed while closed');
      const desc = '<description>mine after reopening</description>';
      const mine = /<description>/.test(began) ? began.replace(/<description>[^<]*<\/description>/, desc) : began.replace('</domain>', `  ${desc}\n</domain>`);
      await assert.rejects(provider.writeFile(uri(), encode(mine)), /changed since you opened it/);
      assert.match(dumpxml(name), /<description>changed while closed<\/description>/);
    });

    it('a save of a document whose text was never read is not written over the domain', async () => {
      const fresh = new DomainXmlFileSystem(host, out);
      try {
        fresh.stat(uri());
        virsh('desc', name, '--config', '--new-desc', 'changed before any read');
        const mine = dumpxml(name).replace(/<description>[^<]*<\/description>/, '<description>never read</description>');
        await assert.rejects(fresh.writeFile(uri(), encode(mine)), /began from/);
        assert.match(dumpxml(name), /<description>changed before any read<\/description>/);
        // Accepting what the domain is now (Overwrite) makes it the base: then the save goes through.
        fresh.rebase(uri(), await fresh.current(uri()));
        await fresh.writeFile(uri(), encode(mine));
        assert.match(dumpxml(name), /<description>never read<\/description>/);
      } finally {
        fresh.dispose();
      }
    });
  });

  it('keeps the clone ours when an edit drops the metadata, and the document shows the element put back', async () => {
    const doc = await openClone(b, 1);
    await replaceIn(doc, /<metadata>[\s\S]*<\/metadata>\s*/, '');
    await replaceIn(doc, /<vcpu placement='static'>1<\/vcpu>/, "<vcpu placement='static'>2</vcpu> <!-- mine -->");
    assert.equal(await doc.save(), true);
    const now = dumpxml(name);
    assert.match(now, /<vcpu placement='static'>2<\/vcpu>/);
    assert.match(now, /xmlns\/clone\/1/);
    await vscode.commands.executeCommand('qq2clone.refresh');
    assert.equal(b.cloneNode(1).clone.name, name);
    // The open document follows without reopening: our element is back, the user's comment stays, nothing unsaved.
    await waitFor('the document to show the metadata put back', () => (/xmlns\/clone\/1/.test(doc.getText()) ? true : undefined));
    assert.match(doc.getText(), /<!-- mine -->/);
    assert.equal(doc.isDirty, false);
  });
  it('renames a shut-off clone from the editor: libvirt has the new name only, the tree keeps it as the same clone', async () => {
    const uuid = virsh('domuuid', name).trim();
    const disks = blockList(name);
    const doc = await openClone(b, 1);
    const renamed = `${name}-renamed`;
    await replaceIn(doc, `<name>${name}</name>`, `<name>${renamed}</name>`);
    assert.equal(await doc.save(), true);
    assert.equal(doc.isDirty, false);
    assert.equal(virsh('domuuid', renamed).trim(), uuid);
    assert.equal(tryVirsh('domuuid', name), undefined, 'the old name is gone');
    assert.deepEqual(blockList(renamed), disks);
    assert.match(dumpxml(renamed), /xmlns\/clone\/1/);
    name = renamed;
    await vscode.commands.executeCommand('qq2clone.refresh');
    await b.waitTree('clone 1 under its new name', () => (b.clones().find((c) => c.clone.id === 1)?.clone.name === renamed ? true : undefined));
    assert.equal(b.cloneNode(1).clone.uuid, uuid);
    assert.equal(b.clones().length, 1);
    // The document's address is by template and number: it still reads the clone.
    const again = await openClone(b, 1);
    assert.match(again.getText(), new RegExp(`<name>${renamed}</name>`));
  });

  it('gives a clone a new UUID (then a new UUID and name): the old definition is gone, the clone stays ours', async () => {
    const disks = blockList(name);
    for (const rename of [false, true]) {
      const oldUuid = virsh('domuuid', name).trim();
      const newUuid = randomUUID();
      const newName = rename ? `${name}-2` : name;
      const doc = await openClone(b, 1);
      await replaceIn(doc, `<uuid>${oldUuid}</uuid>`, `<uuid>${newUuid}</uuid>`);
      if (rename) await replaceIn(doc, `<name>${name}</name>`, `<name>${newName}</name>`);
      assert.equal(await doc.save(), true, `save (rename: ${rename})`);
      assert.equal(doc.isDirty, false);
      assert.equal(virsh('domuuid', newName).trim(), newUuid);
      assert.equal(tryVirsh('domname', oldUuid), undefined, 'the old UUID is gone');
      if (rename) assert.equal(tryVirsh('domuuid', name), undefined, 'the old name is gone');
      assert.equal(b.bed.domains().length, 1, `one domain of the bed: ${b.bed.domains().join(', ')}`);
      assert.match(dumpxml(newName), /xmlns\/clone\/1/);
      assert.deepEqual(blockList(newName), disks);
      name = newName;
      await vscode.commands.executeCommand('qq2clone.refresh');
      await b.waitTree('clone 1 with its new UUID', () => (b.clones().find((c) => c.clone.id === 1)?.clone.uuid === newUuid ? true : undefined));
      assert.equal(b.cloneNode(1).clone.name, newName);
      assert.equal(b.clones().length, 1);
      await closeAll();
    }
  });

  it('refuses to rename or change the UUID of a running clone: document dirty, nothing changed', async () => {
    const uuid = virsh('domuuid', name).trim();
    const before = dumpxml(name);
    virsh('start', name);
    try {
      const doc = await openClone(b, 1);
      await replaceIn(doc, `<name>${name}</name>`, `<name>${name}-x</name>`);
      assert.equal(await doc.save(), false);
      assert.equal(doc.isDirty, true);
      await replaceIn(doc, `<uuid>${uuid}</uuid>`, `<uuid>${randomUUID()}</uuid>`);
      assert.equal(await doc.save(), false);
      assert.equal(doc.isDirty, true);
      assert.equal(virshState(name), 'running');
      assert.equal(virsh('domuuid', name).trim(), uuid);
      assert.equal(tryVirsh('domuuid', `${name}-x`), undefined);
      assert.equal(dumpxml(name), before);
      assert.deepEqual(b.bed.domains(), [name]);
    } finally {
      await closeAll();
      tryVirsh('destroy', name);
    }
  });

  it('"Save Without Validation" hands libvirt what the schema rejects, and libvirt defines it', async () => {
    const doc = await openClone(b, 1);
    // A visible change in the same save: the definition must show it (libvirt drops the unknown element).
    await replaceIn(doc, /<memory unit='KiB'>\d+<\/memory>/, "<memory unit='KiB'>98304</memory>");
    await replaceIn(doc, '</domain>', '  <unknownToTheSchema/>\n</domain>');
    assert.equal(await doc.save(), false);
    assert.doesNotMatch(dumpxml(name), /<memory unit='KiB'>98304<\/memory>/, 'the refused save defined nothing');
    assert.equal(await vscode.commands.executeCommand('qq2clone.saveXmlWithoutValidation', doc.uri), true);
    assert.equal(doc.isDirty, false);
    const now = dumpxml(name);
    assert.match(now, /<memory unit='KiB'>98304<\/memory>/);
    assert.doesNotMatch(now, /unknownToTheSchema/);
  });
});
