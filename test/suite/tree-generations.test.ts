/**
 * Image generations in the tree, against the real daemon: after commit-image the template says its generation, the
 * clone made before keeps the old image and its item says so, a clone made after does not (it is on the current one).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { qemuImg } from '../testbed';
import { CloneBed } from './util/cloneBed';

describe('tree image generations', function () {
  this.timeout(240_000);
  let b: CloneBed;
  before(async () => {
    b = await CloneBed.open('tgen');
  });
  after(async () => b?.close());

  const run = (command: string, ...args: unknown[]): Thenable<unknown> => vscode.commands.executeCommand(command, ...args);
  const staging = () => b.templateNode()?.clones.find((c) => c.clone.staging);
  const description = (id: number): string => String(b.api.tree.treeItem(b.cloneNode(id)).description ?? '');

  it('a clone made before commit-image shows its old generation; a clone made after does not', async () => {
    await b.makeClones(1);
    const tplItem = () => String(b.api.tree.treeItem(b.templateNode()!).description ?? '');
    assert.doesNotMatch(tplItem(), /gen/, 'one generation: nothing to say');
    assert.doesNotMatch(description(1), /gen/);

    await run('qq2clone.prepareImage', b.templateNode());
    await run('qq2clone.refresh');
    await b.waitTree('the staging clone', () => staging());
    await run('qq2clone.destroyImage', staging());
    await run('qq2clone.refresh');
    await b.waitTree('the staging clone off', () => (staging()?.clone.state === 'off' ? true : undefined));
    await run('qq2clone.commitImage', b.templateNode());
    await run('qq2clone.refresh');
    await b.waitTree('no staging clone, template at gen 2', () => (!staging() && /gen 2/.test(tplItem()) ? true : undefined));

    // The item asks for the generation in the background and shows it once read.
    await b.waitTree('clone 1 showing gen 1', () => (/· gen 1$/.test(description(1)) ? true : undefined));
    assert.equal(await b.api.tree.cloneGeneration(b.cloneNode(1)), 1);
    const old = await b.api.tree.tooltip(b.cloneNode(1));
    assert.match(old, /Image generation: 1 \(the template is at generation 2\)/);
    // What libvirt and the image say, independently of the tree: the overlay is still backed by the imported image.
    const overlay = old.match(/- Disk: `([^`]+)`/)?.[1];
    assert.ok(overlay, old);
    const backing = JSON.parse(qemuImg('info', '-U', '--output=json', overlay))['backing-filename'] as string;
    assert.doesNotMatch(backing, /\.gen\d+\./);
    assert.match(old, new RegExp(`backed by \`${backing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``));

    await b.makeClones(1);
    assert.equal(await b.api.tree.cloneGeneration(b.cloneNode(2)), 2);
    assert.doesNotMatch(description(2), /gen/, 'on the current generation: nothing to say');
    assert.match(description(1), /· gen 1$/);
    assert.match(await b.api.tree.tooltip(b.cloneNode(2)), /Image generation: 2$/m);
  });
});
