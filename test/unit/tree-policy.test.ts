/** How the tree shows power-off policies: the clone's description, its tooltip lines, a template's default. */
import * as assert from 'node:assert/strict';
import type { CloneInfo, TemplateInfo } from '../../src/libvirt/api';
import { parsePolicy, type PolicyLogEntry } from '../../src/libvirt/policy';
import { cloneDescription, cloneTooltip, policyTooltipLines, templateTooltip } from '../../src/extension/tree/presentation';
import { TreeModel } from '../../src/extension/tree/model';

const clone: CloneInfo = { template: 'T', id: 2, name: 'T-2', uuid: 'u-2', state: 'off', reason: 'destroyed', saved: false };

describe('tree: power-off policies', () => {
  it('the description names reset or remove; keep (the default) adds nothing', () => {
    assert.equal(cloneDescription(clone), 'off');
    assert.equal(cloneDescription({ ...clone, policy: parsePolicy('reset') }), 'off · reset');
    assert.equal(cloneDescription({ ...clone, state: 'running', reason: 'booted', policy: parsePolicy('remove', 'shutdown') }, 'saving'), 'saving… (running · remove)');
    assert.equal(cloneDescription({ ...clone, policy: parsePolicy('keep') }), 'off');
  });
  it('the tooltip has the policy, the last shutoff reason and the last policy action', () => {
    const last: PolicyLogEntry = {
      time: '2026-11-30T01:02:03.000Z', uuid: 'u-2', name: 'T-2', template: 'T', id: 2, reason: 'shutdown',
      policy: 'reset on shutdown,destroyed', action: 'reset', detail: 'made afresh: /s/T-2-vda.qcow2', by: 'hook',
    };
    const lines = policyTooltipLines({ ...clone, policy: parsePolicy('reset') }, last);
    assert.deepEqual(lines, [
      '- Power-off policy: reset on shutdown,destroyed',
      '- Last shutoff: destroyed',
      '- Last policy action: reset, 2026-11-30T01:02:03.000Z after shutdown (by the hook)',
    ]);
    // A running clone: the last shutoff reason comes from the log.
    assert.equal(policyTooltipLines({ ...clone, state: 'running', reason: 'booted' }, { ...last, action: 'kept', detail: 'kept: crashed is not one of shutdown' })[1], '- Last shutoff: shutdown');
    assert.deepEqual(policyTooltipLines(clone), ['- Power-off policy: keep', '- Last shutoff: destroyed']);
    assert.match(cloneTooltip(clone, { lastAction: last }), /- Last policy action: reset/);
  });
  it("a template's tooltip names the default its new clones inherit", () => {
    const t: TemplateInfo = { name: 'T', xmlPath: '/t/T.xml', disks: [] };
    assert.doesNotMatch(templateTooltip(t, 0), /power-off/);
    assert.match(templateTooltip({ ...t, policy: parsePolicy('remove', 'shutdown') }, 0), /New clones' power-off policy: remove on shutdown/);
  });
  it('a changed policy re-renders the clone (and a changed default its template)', () => {
    const m = new TreeModel();
    const t: TemplateInfo = { name: 'T', xmlPath: '/t/T.xml', disks: [] };
    m.update({ templates: [t], clones: [clone], foreign: [] });
    const changed = m.update({ templates: [t], clones: [{ ...clone, policy: parsePolicy('reset') }], foreign: [] });
    assert.deepEqual(changed.nodes.map((n) => (n.kind === 'clone' ? n.clone.uuid : n.template.name)), ['u-2']);
    assert.equal(m.update({ templates: [t], clones: [{ ...clone, policy: parsePolicy('reset') }], foreign: [] }).nodes.length, 0);
    const tChanged = m.update({ templates: [{ ...t, policy: parsePolicy('remove') }], clones: [{ ...clone, policy: parsePolicy('reset') }], foreign: [] });
    assert.ok(tChanged.all || tChanged.nodes.some((n) => n.kind === 'template'));
  });
});
