/**
 * Snapshots in the extension against the real daemon: Take Snapshot... on a tree selection (name and description
 * asked, progress with Cancel), the clone expanding to its snapshots newest first with the current one marked,
 * Revert to Snapshot asking first and naming what is lost, Delete Snapshot; libvirt's own view checked with virsh.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SnapshotNode } from '../../src/extension/tree';
import { virsh } from '../testbed';
import { CloneBed } from './util/cloneBed';

describe('snapshots in the tree', function () {
  this.timeout(240_000);
  let b: CloneBed;
  before(async () => {
    b = await CloneBed.open('snaps');
    await b.makeClones(2);
  });
  after(async () => b?.close());

  const run = (command: string, ...args: unknown[]): Thenable<unknown> => vscode.commands.executeCommand(command, ...args);
  const libvirtSnapshots = (id: number): string[] => virsh('snapshot-list', '--name', b.cloneNode(id).clone.name).split('\n').map((l) => l.trim()).filter(Boolean).sort();
  /** Answers the input boxes in order. */
  const answer = (...values: string[]) => {
    b.api.prompts.inputBox = () => Promise.resolve(values.shift());
  };
  const shown = (id: number, what: string, check: (s: SnapshotNode[]) => boolean) =>
    b.waitTree(what, () => {
      const s = b.api.tree.snapshots(b.cloneNode(id));
      return s && check(s) ? s : undefined;
    });

  it('Take Snapshot... cancelled in its progress takes none and says so', async () => {
    const progress = b.api.prompts.progress;
    const totals: number[] = [];
    b.api.prompts.progress = (_title, total, work) => {
      totals.push(total);
      const ac = new AbortController();
      ac.abort();
      return work(ac.signal, () => undefined);
    };
    answer('first', '');
    const from = b.notices.length;
    try {
      await run('qq2clone.takeSnapshot', b.cloneNode(1), [b.cloneNode(1), b.cloneNode(2)]);
    } finally {
      b.api.prompts.progress = progress;
    }
    assert.deepEqual(totals, [2]);
    assert.match(b.noticesText(from), /2 cancelled/);
    assert.deepEqual([libvirtSnapshots(1), libvirtSnapshots(2)], [[], []]);
  });

  it('Take Snapshot... on a selection takes it in every clone; each clone expands to it, marked current', async () => {
    answer('first', 'before the update');
    await run('qq2clone.takeSnapshot', b.cloneNode(1), [b.cloneNode(1), b.cloneNode(2)]);
    assert.deepEqual([libvirtSnapshots(1), libvirtSnapshots(2)], [['first'], ['first']]);
    const [s] = await shown(1, 'the snapshot under clone 1', (l) => l.length === 1);
    assert.equal(b.api.tree.treeItem(b.cloneNode(1)).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const item = b.api.tree.treeItem(s!);
    assert.deepEqual([item.label, item.contextValue], ['first', 'currentSnapshot']);
    assert.match(String(item.description), /^current · \d{4}-\d\d-\d\d \d\d:\d\d · shutoff$/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /before the update/);
  });

  it('a second snapshot is listed first and becomes current; Revert asks first, naming what is lost, and goes back', async () => {
    answer('second', '');
    await run('qq2clone.takeSnapshot', b.cloneNode(1));
    const list = await shown(1, 'two snapshots under clone 1', (l) => l.length === 2);
    assert.deepEqual(list.map((n) => [n.snapshot.name, b.api.tree.treeItem(n).contextValue]), [['second', 'currentSnapshot'], ['first', 'snapshot']]);
    const asked = b.confirms.length;
    await run('qq2clone.revertSnapshot', list[1]);
    assert.match(b.confirms[asked] ?? '', /^Revert clone 1 \(.*\) to snapshot first\?\nLost: every change to its disks since first was taken\. It comes back off/);
    assert.equal(virsh('snapshot-current', '--name', b.cloneNode(1).clone.name).trim(), 'first');
    await shown(1, 'first current', (l) => l.find((n) => n.snapshot.name === 'first')?.snapshot.current === true);
  });

  it('Delete Snapshot removes it from libvirt and from the tree', async () => {
    const second = (await shown(1, 'two snapshots', (l) => l.length === 2)).find((n) => n.snapshot.name === 'second')!;
    await run('qq2clone.deleteSnapshot', second);
    assert.deepEqual(libvirtSnapshots(1), ['first']);
    await shown(1, 'one snapshot left', (l) => l.length === 1 && l[0]!.snapshot.name === 'first');
  });

  it('Set Power-Off Policy: reset of a clone with snapshots is refused unless the user drops them; revert names its snapshot', async () => {
    const policyOf = (id: number) => /<(?:\w+:)?policy [^>]*>/.exec(virsh('dumpxml', '--inactive', b.cloneNode(id).clone.name))?.[0] ?? 'none';
    const from = b.notices.length;
    await run('qq2clone.setPolicy', { set: '1', policy: 'reset', dropSnapshots: false });
    assert.match(b.noticesText(from), /nothing set to reset; clone 1 \(.*\): it has snapshots \(reset would drop them\)/);
    assert.equal(policyOf(1), 'none');
    assert.deepEqual(libvirtSnapshots(1), ['first']);
    const asked = b.confirms.length;
    await run('qq2clone.setPolicy', { set: '1', policy: 'reset' });
    assert.match(b.confirms[asked] ?? '', /^1 of these clones has snapshots\. Drop them and set reset\?\n.*reset is refused while they exist[\s\S]*clone 1 \(.*\): first/);
    assert.deepEqual(libvirtSnapshots(1), []);
    assert.match(policyOf(1), /action="reset" on="shutdown,destroyed"/);
    await run('qq2clone.setPolicy', { set: '2', policy: 'revert', snapshot: 'first' });
    assert.match(policyOf(2), /action="revert" on="shutdown,destroyed" snapshot="first"/);
  });
});
