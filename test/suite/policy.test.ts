/**
 * Power-off policies in the extension host, against the real daemon with no hook in use: Set Power-Off Policy on a
 * tree selection (questions answered) and on a SET, the policy in the clone's description and tooltip, the view's
 * notice that policies only hold while VS Code is open, and a remove clone removed by the extension when destroyed.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { tryVirsh, virsh } from '../testbed';
import { CloneBed } from './util/cloneBed';

describe('power-off policies', function () {
  this.timeout(240_000);
  let b: CloneBed;
  before(async () => {
    b = await CloneBed.open('policy');
  });
  after(async () => b?.close());

  it('Set Power-Off Policy on a selection asks keep/reset/remove and the reasons; the tree shows it; the view says the hook is not in use', async () => {
    await b.makeClones(2);
    const saved = { ...b.api.prompts };
    let reasonsOffered: string[] = [];
    b.api.prompts.quickPick = (items) => Promise.resolve(items.find((i) => i.label === 'reset'));
    b.api.prompts.quickPickMany = (items) => {
      reasonsOffered = items.map((i) => `${i.label}${i.picked ? '*' : ''}`);
      return Promise.resolve(items.filter((i) => i.picked));
    };
    try {
      await vscode.commands.executeCommand('qq2clone.setPolicy', b.cloneNode(1), [b.cloneNode(1)]);
    } finally {
      Object.assign(b.api.prompts, { quickPick: saved.quickPick, quickPickMany: saved.quickPickMany });
    }
    assert.ok(reasonsOffered.includes('shutdown*') && reasonsOffered.includes('destroyed*') && reasonsOffered.includes('crashed'), reasonsOffered.join(','));
    assert.ok(!reasonsOffered.some((r) => r.startsWith('saved')), 'reset is never offered for saved');
    assert.match(virsh('dumpxml', '--inactive', b.cloneNode(1).clone.name), /<q2c:policy action="reset" on="shutdown,destroyed"\/>/);
    await vscode.commands.executeCommand('qq2clone.refresh');
    await b.waitTree('the policy in the description', () => (/· reset$/.test(String(b.api.tree.treeItem(b.cloneNode(1)).description)) ? true : undefined));
    assert.match(await b.api.tree.tooltip(b.cloneNode(1)), /- Power-off policy: reset on shutdown,destroyed/);
    await b.waitTree('the notice', () => b.api.tree.notice, 60_000);
    assert.match(b.api.tree.notice!, /Power-off policies apply only while VS Code is open: the libvirt hook is not installed/);
  });

  it('on a SET with the policy given; a destroyed remove clone is removed by the extension from the lifecycle event', async () => {
    await vscode.commands.executeCommand('qq2clone.setPolicy', { template: b.template.name, set: '2', policy: 'remove' });
    const c = b.cloneNode(2).clone;
    assert.match(virsh('dumpxml', '--inactive', c.name), /<q2c:policy action="remove" on="shutdown,destroyed"\/>/);
    virsh('start', c.name);
    await new Promise((r) => setTimeout(r, 1000));
    virsh('destroy', c.name);
    await b.waitTree('the clone to be removed', () => (tryVirsh('domstate', c.uuid) === undefined ? true : undefined), 60_000);
    await vscode.commands.executeCommand('qq2clone.refresh');
    await b.waitTree('the clone to leave the tree', () => (b.clones().some((n) => n.clone.uuid === c.uuid) ? undefined : true));
  });

  it("on a template: the default its new clones inherit; the tree's template tooltip names it", async () => {
    await vscode.commands.executeCommand('qq2clone.setPolicy', { template: b.template.name, set: '1', policy: 'keep' });
    const saved = { ...b.api.prompts };
    b.api.prompts.quickPick = (items) => Promise.resolve(items.find((i) => i.label === 'remove'));
    b.api.prompts.quickPickMany = (items) => Promise.resolve(items.filter((i) => i.label === 'shutdown'));
    try {
      await vscode.commands.executeCommand('qq2clone.setPolicy', b.templateNode(), [b.templateNode()]);
    } finally {
      Object.assign(b.api.prompts, { quickPick: saved.quickPick, quickPickMany: saved.quickPickMany });
    }
    const made = await b.makeClones(1);
    const newest = made[made.length - 1]!;
    assert.match(virsh('dumpxml', '--inactive', newest.clone.name), /<q2c:policy action="remove" on="shutdown"\/>/);
    assert.doesNotMatch(virsh('dumpxml', '--inactive', b.cloneNode(1).clone.name), /q2c:policy/, 'clone 1 was set to keep, and keeps it');
    await vscode.commands.executeCommand('qq2clone.refresh');
    assert.match(await b.api.tree.tooltip(b.templateNode()!), /New clones' power-off policy: remove on shutdown/);
  });
});
