/**
 * A command chosen from a tree row acts on that row as the tree has it now, or says it is gone; it never falls back
 * to "which clones?" with a SET the user did not type. VS Code hands a command `undefined` for a row whose handle it
 * no longer knows (the tree refreshed between the right-click and the click), where the palette passes nothing.
 */
import * as assert from 'node:assert/strict';
import type { CloneInfo, Inventory } from '../../src/libvirt/api';
import { TreeModel } from '../../src/extension/tree/model';
import { currentRows } from '../../src/extension/commands/common/targets';
import { setBoxPrefill, type AnyOperationName } from '../../src/core/operations';

const clone = (id: number, state: CloneInfo['state'] = 'running'): CloneInfo => ({
  template: 'deb', id, name: `deb#${id}`, uuid: `u${id}`, state, reason: 'unknown', saved: false,
});
const inv = (clones: CloneInfo[], templates = ['deb', 'other']): Inventory => ({
  templates: templates.map((name) => ({ name, xmlPath: `/t/${name}.xml`, disks: [] })),
  clones,
  foreign: [],
});

describe('commands from tree rows: the row as the tree has it now, or "gone"', () => {
  it('refuses a row VS Code could not hand over (undefined in place of the node or in the selection)', () => {
    const model = new TreeModel();
    model.update(inv([clone(1), clone(2)]));
    const [n1] = model.templates[0]!.clones;
    for (const [i, args] of [[undefined], [null], [n1, [n1, undefined]], [undefined, [undefined]]].entries()) {
      const r = currentRows(model, args);
      assert.equal(r.ok, false, `case ${i}`);
      if (!r.ok) assert.match(r.message, /^The item you chose is no longer in the tree \(it changed before the click\): nothing was done\. Choose it again\.$/);
    }
  });

  it('passes the palette (no arguments), SET arguments and a selection without a clicked item', () => {
    const model = new TreeModel();
    model.update(inv([clone(1)]));
    assert.deepEqual(currentRows(model, []), { ok: true, args: [] });
    assert.deepEqual(currentRows(model, [{ template: 'deb', set: '1' }]), { ok: true, args: [{ template: 'deb', set: '1' }] });
    const n1 = model.clone('u1')!;
    assert.deepEqual(currentRows(model, [undefined, [{ ...n1 }]]), { ok: true, args: [undefined, [n1]] }, 'a selection without a clicked item');
  });

  it('looks a row up again by its key after the tree changed: the current node, or which one is gone', () => {
    const model = new TreeModel();
    model.update(inv([clone(1), clone(2)]));
    const [n1, n2] = model.templates[0]!.clones;
    const stale1 = { ...n1! };
    // Another process removed the template "other" and clone 2; clone 1 shut down meanwhile.
    model.update(inv([clone(1, 'off')], ['deb']));
    const ok = currentRows(model, [stale1, [stale1]]);
    assert.ok(ok.ok);
    assert.equal(ok.args[0], model.clone('u1'), 'the node the tree has now');
    assert.equal((ok.args[0] as typeof n1)!.clone.state, 'off');
    assert.deepEqual(ok.args[1], [model.clone('u1')]);
    const gone = currentRows(model, [n2, [n1, n2]]);
    assert.deepEqual(gone, { ok: false, message: 'clone 2 (deb#2) is no longer in the tree (it was removed meanwhile): nothing was done.' });
    const tpl = currentRows(model, [{ kind: 'template', key: 'template:other', template: inv([]).templates[1], clones: [] }]);
    assert.deepEqual(tpl, { ok: false, message: 'template other is no longer in the tree (it was removed meanwhile): nothing was done.' });
  });

  it('never fills the SET box in for an operation that stops, reverts or deletes', () => {
    const none: AnyOperationName[] = ['destroy', 'suspend', 'save', 'save-rm', 'rm', 'rm-wipe', 'rm-shred', 'shutdown', 'reboot', 'reset', 'guest-exec'];
    for (const op of none) assert.equal(setBoxPrefill(op), '', op);
    for (const op of ['start', 'resume', 'ip', 'ssh'] as const) assert.equal(setBoxPrefill(op), 'all', op);
    assert.equal(setBoxPrefill(undefined), 'all', 'selecting clones in the tree acts on none');
  });
});
