/**
 * Template commands in the extension host against the real daemon: the staging clone appears under its template
 * and goes on commit, commit-image keeps the existing clone's image, copy/rename/delete/import change the tree,
 * delete is refused while clones exist, check opens its report in an editor and applies the chosen fixes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Finding } from '../../src/libvirt/check/check';
import { qemuImg, virsh } from '../testbed';
import { CloneBed } from './util/cloneBed';

describe('template commands', function () {
  this.timeout(240_000);
  let b: CloneBed;
  before(async () => {
    b = await CloneBed.open('tcmd');
  });
  after(async () => b?.close());

  const run = (command: string, ...args: unknown[]): Thenable<unknown> => vscode.commands.executeCommand(command, ...args);
  const names = (): string[] => b.api.tree.model.templates.map((t) => t.template.name).filter((n) => n.startsWith(b.bed.prefix));
  const staging = () => b.templateNode()?.clones.find((c) => c.clone.staging);

  it('prepare-image shows a staging clone under its template, distinct from clones; destroy warns first', async () => {
    await b.makeClones(1);
    await run('qq2clone.prepareImage', b.templateNode());
    await run('qq2clone.refresh');
    const s = await b.waitTree('the staging clone', () => staging());
    assert.equal(s.clone.id, 0);
    assert.equal(b.api.tree.treeItem(s).contextValue, 'stagingClone');
    assert.equal(b.clones().length, 1, 'the staging clone is not counted among the clones');
    assert.equal(b.templateNode()?.template.staging, true);
    // The template's menu follows: Force Off and Discard apply while the staging clone runs; Prepare, Commit and
    // Delete do not.
    assert.equal(b.api.tree.treeItem(b.templateNode()!).contextValue, 'templateStagingRunningWithClones');
    const asked = b.confirms.length;
    await run('qq2clone.destroyImage', s);
    assert.match(b.confirms.slice(asked).join('\n'), /pulling the plug/);
    await run('qq2clone.refresh');
    await b.waitTree('the staging clone off', () => (staging()?.clone.state === 'off' ? true : undefined));
    // Off: Commit applies now, Force Off no longer.
    await b.waitTree('the template offering Commit', () =>
      b.api.tree.treeItem(b.templateNode()!).contextValue === 'templateStagingOffWithClones' ? true : undefined,
    );
  });

  it('commit-image makes a new generation; the existing clone keeps its image; the staging clone is gone', async () => {
    const from = b.notices.length;
    const overlay = virsh('domblklist', b.cloneNode(1).clone.uuid).trim().split(/\s+/)[1];
    const backingBefore = JSON.parse(qemuImg('info', '-U', '--output=json', overlay!))['backing-filename'];
    await run('qq2clone.commitImage', b.templateNode());
    assert.match(b.noticesText(from), /generation 2/);
    assert.match(b.noticesText(from), /1 existing clone\(s\) keep the image/);
    await run('qq2clone.refresh');
    await b.waitTree('no staging clone', () => (staging() ? undefined : true));
    assert.equal(b.api.tree.treeItem(b.templateNode()!).contextValue, 'templateWithClones');
    assert.equal(JSON.parse(qemuImg('info', '-U', '--output=json', overlay!))['backing-filename'], backingBefore);
    assert.match(fs.readFileSync(path.join(b.templateDir, `${b.template.name}.xml`), 'utf8'), /\.gen2\.vda\.qcow2/);
  });

  it('delete is refused while clones exist, saying how many', async () => {
    const from = b.notices.length;
    await run('qq2clone.deleteTemplate', { template: b.template.name, confirmed: true });
    assert.match(b.noticesText(from), /has 1 clone\(s\)/);
    assert.ok(names().includes(b.template.name));
  });

  it('copy, rename and delete change the tree; import from a file adds a template', async () => {
    const copy = `${b.bed.prefix}-copy`;
    await run('qq2clone.copyTemplate', { template: b.template.name, newName: copy });
    await run('qq2clone.refresh');
    await b.waitTree('the copy', () => (names().includes(copy) ? true : undefined));
    const renamed = `${b.bed.prefix}-renamed`;
    await run('qq2clone.renameTemplate', { template: copy, newName: renamed });
    await run('qq2clone.refresh');
    await b.waitTree('the renamed copy', () => (names().includes(renamed) && !names().includes(copy) ? true : undefined));
    await run('qq2clone.deleteTemplate', { template: renamed, confirmed: true });
    await run('qq2clone.refresh');
    await b.waitTree('the copy deleted', () => (names().includes(renamed) ? undefined : true));
    const src = b.bed.makeTemplateFile(path.join(b.bed.root, 'src'), 'imp');
    await run('qq2clone.importTemplate', { source: src.xmlPath, newName: '' });
    await run('qq2clone.refresh');
    await b.waitTree('the imported template', () => (names().includes(src.name) ? true : undefined));
  });

  it('rename of a template with clones renames the clones in libvirt and in the tree', async () => {
    const src = b.bed.makeTemplateFile(path.join(b.bed.root, 'src'), 'rc');
    await run('qq2clone.importTemplate', { source: src.xmlPath, newName: '' });
    await run('qq2clone.clone', { template: src.name, count: 2 });
    await run('qq2clone.refresh');
    const nodeOf = (name: string) => b.api.tree.model.templates.find((t) => t.template.name === name);
    const before = await b.waitTree('two clones to rename', () => (nodeOf(src.name)?.clones.length === 2 ? nodeOf(src.name) : undefined));
    const uuids = before.clones.map((c) => c.clone.uuid);
    const to = `${b.bed.prefix}-rc2`;
    await run('qq2clone.renameTemplate', { template: src.name, newName: to });
    await run('qq2clone.refresh');
    const after = await b.waitTree('the renamed template with its clones', () => {
      const n = nodeOf(to);
      return n && !nodeOf(src.name) && n.clones.length === 2 ? n : undefined;
    });
    assert.deepEqual(
      after.clones.map((c) => [c.clone.id, c.clone.name, c.clone.uuid]),
      [1, 2].map((id, i) => [id, `${to}-${id}`, uuids[i]]),
      'same domains, new names, same numbers',
    );
    for (const c of after.clones) {
      assert.equal(virsh('domname', c.clone.uuid).trim(), `${to}-${c.clone.id}`, 'renamed in libvirt');
      assert.match(virsh('dumpxml', '--inactive', c.clone.uuid), new RegExp(`template="${to}"`), 'and in its bookkeeping');
      assert.equal(b.api.tree.treeItem(c).label, `${c.clone.id} ${to}-${c.clone.id}`, 'the tree shows the new name');
    }
    assert.ok(!b.bed.domains().some((d) => d.startsWith(`${src.name}-`)), 'no clone keeps the old name');
  });

  it('check opens its report in an editor and applies the fixes', async () => {
    const stray = path.join(b.storage, 'stray-file.qcow2');
    fs.writeFileSync(stray, 'left over');
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(stray, hourAgo, hourAgo); // a left-over is old: newer files may belong to a clone being made
    const r = (await run('qq2clone.check', { confirmed: true })) as { findings: Finding[]; fixed: string[] };
    assert.ok(r.findings.some((f) => f.kind === 'stray-file' && f.file === stray));
    assert.ok(r.fixed.includes(`Deleted ${stray}.`));
    assert.ok(!fs.existsSync(stray));
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    assert.match(text, /qq2clone check \(all templates\)/);
    assert.match(text, /\[stray-file\]/);
  });
});
