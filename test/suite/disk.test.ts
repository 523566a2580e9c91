/**
 * Disk commands in the extension host (the packaged extension, its libguestfs helper included): Browse Disk adds a
 * qq2clone-disk: folder whose files read and write through VS Code's file system API, Compare Disk with Template
 * returns what was written. The template's disk is a bare ext4 filesystem; one appliance serves the whole file.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Change } from '../../src/core/treeDiff';
import { CloneBed } from './util/cloneBed';

describe('disk commands', function () {
  this.timeout(300_000);
  let b: CloneBed;
  let root: vscode.Uri;

  before(async () => {
    b = await CloneBed.open('disk');
    const tree = path.join(b.bed.root, 'tree');
    fs.mkdirSync(path.join(tree, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'etc', 'hostname'), 'template\n');
    const raw = path.join(b.bed.root, 'fs.raw');
    execFileSync('truncate', ['-s', '64M', raw]);
    execFileSync('mkfs.ext4', ['-q', '-d', tree, raw]);
    fs.rmSync(b.template.disk, { force: true });
    execFileSync('qemu-img', ['convert', '-O', 'qcow2', raw, b.template.disk]);
    await b.makeClones(1);
  });

  after(async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const i = folders.findIndex((f) => f.uri.scheme === 'qq2clone-disk');
    if (i >= 0) vscode.workspace.updateWorkspaceFolders(i, 1);
    await b?.close();
  });

  it('Browse Disk on an off clone adds its filesystem as an explorer folder; files read and write', async () => {
    const uri = (await vscode.commands.executeCommand('qq2clone.browseDisk', b.cloneNode(1))) as vscode.Uri | undefined;
    assert.ok(uri, `Browse Disk returned nothing: ${b.noticesText()}`);
    root = uri;
    assert.equal(uri.toString(), `qq2clone-disk:/${b.template.name}/1/`);
    const entries = await vscode.workspace.fs.readDirectory(uri);
    assert.ok(entries.some(([n, t]) => n === 'etc' && t === vscode.FileType.Directory), JSON.stringify(entries));
    const hostname = vscode.Uri.joinPath(uri, 'etc', 'hostname');
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(hostname)).toString(), 'template\n');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(uri, 'etc', 'added'), Buffer.from('from the editor\n'));
    await vscode.workspace.fs.writeFile(hostname, Buffer.from('clone one\n'));
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(uri, 'etc', 'added'))).toString(), 'from the editor\n');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.joinPath(uri, 'nope'))), (e: unknown) => e instanceof vscode.FileSystemError && e.code === 'FileNotFound');
    const doc = await vscode.workspace.openTextDocument(hostname);
    assert.equal(doc.getText(), 'clone one\n');
  });

  it('Compare Disk with Template returns exactly what was written; the template side reads the old file', async () => {
    const changes = (await vscode.commands.executeCommand('qq2clone.compareWithTemplate', b.cloneNode(1), undefined, { pick: false })) as Change[] | undefined;
    assert.ok(changes, `no result: ${b.noticesText()}`);
    assert.deepEqual(changes.map((c) => `${c.kind} ${c.path}`), ['added /etc/added', 'changed /etc/hostname']);
    const base = vscode.Uri.joinPath(root, 'etc', 'hostname').with({ query: 'base' });
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(base)).toString(), 'template\n');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(base, Buffer.from('x'))), (e: unknown) => e instanceof vscode.FileSystemError && e.code === 'NoPermissions');
  });
});
