import * as assert from 'node:assert/strict';
import type { CloneInfo, Inventory } from '../../src/libvirt/api';
import type { CloneState } from '../../src/core/states';
import { UsageError } from '../../src/core/errors';
import { TreeModel } from '../../src/extension/tree/model';
import { targetsFromNodes, targetsFromSet, selectedNodes, isSetArgs } from '../../src/extension/commands/common/targets';

const states: CloneState[] = ['running', 'paused', 'saved', 'off', 'crashed', 'running'];
const clones: CloneInfo[] = states.map((state, i) => ({
  template: 'deb',
  id: i + 1,
  name: `deb#${i + 1}`,
  uuid: `u${i + 1}`,
  state,
  reason: 'unknown',
  saved: state === 'saved',
}));
const inventory: Inventory = {
  templates: [
    { name: 'deb', xmlPath: '/t/deb.xml', disks: ['/i/deb.qcow2'] },
    { name: 'other', xmlPath: '/t/other.xml', disks: [] },
  ],
  clones: [...clones, { ...clones[0]!, template: 'other', uuid: 'o1', name: 'other#1' }],
  foreign: [],
};

describe('clone command targets', () => {
  const model = new TreeModel();
  model.update(inventory);
  const deb = model.templates.find((t) => t.template.name === 'deb')!;

  it('takes the clones of a multi-selection the operation fits and skips the rest with the reason', () => {
    const t = targetsFromNodes('suspend', [deb, ...deb.clones]);
    assert.deepEqual(
      t.clones.map((c) => c.id),
      [1, 6],
    );
    assert.deepEqual(
      t.skipped.map((s) => `${s.what}: ${s.reason}`),
      [
        'template deb: not a clone',
        'clone 2 (deb#2): it is paused',
        'clone 3 (deb#3): it is saved',
        'clone 4 (deb#4): it is off',
        'clone 5 (deb#5): it is crashed',
      ],
    );
  });

  it('uses the selection when it contains the clicked node, else the clicked node alone; recognises SET arguments', () => {
    assert.deepEqual(selectedNodes(deb.clones[1], [deb.clones[1], deb.clones[2]]), [deb.clones[1], deb.clones[2]]);
    assert.deepEqual(selectedNodes(deb.clones[0], [deb.clones[1], deb.clones[2]]), [deb.clones[0]]);
    assert.deepEqual(selectedNodes(undefined, [deb.clones[1], deb.clones[2]]), [deb.clones[1], deb.clones[2]]);
    assert.deepEqual(selectedNodes(deb.clones[0], undefined), [deb.clones[0]]);
    assert.equal(isSetArgs({ set: '1-3' }), true);
    assert.equal(isSetArgs(deb), false);
  });

  it('resolves a SET within one template only, filtered by what the operation accepts', () => {
    const t = targetsFromSet(inventory, 'deb', '1-4', 'start');
    assert.deepEqual(
      t.clones.map((c) => c.id),
      [3, 4],
    );
    assert.deepEqual(
      t.skipped.map((s) => s.what),
      ['clone 1 (deb#1)', 'clone 2 (deb#2)'],
    );
    assert.deepEqual(
      targetsFromSet(inventory, 'other', 'all', 'rm').clones.map((c) => c.uuid),
      ['o1'],
    );
    assert.deepEqual(
      targetsFromSet(inventory, 'deb', 'all,^running', 'rm').clones.map((c) => c.id),
      [2, 3, 4, 5],
    );
  });

  it('says so when a SET names nothing the operation can act upon', () => {
    assert.throws(() => targetsFromSet(inventory, 'deb', '1,6', 'resume'), UsageError);
    assert.throws(() => targetsFromSet(inventory, 'deb', '40-50', 'rm'), /names no existing machine/);
    assert.throws(() => targetsFromSet(inventory, 'deb', '1,,2', 'rm'), /column 3/);
  });
});
