import * as assert from 'node:assert/strict';
import type { CloneInfo, Inventory, TemplateInfo } from '../../src/libvirt/api';
import type { CloneState } from '../../src/core/states';
import { TreeModel, stateFromEvent } from '../../src/extension/tree/model';
import { cloneContextValue, cloneDescription, cloneLabel, templateDescription } from '../../src/extension/tree/presentation';

const tpl = (name: string, extra: Partial<TemplateInfo> = {}): TemplateInfo => ({
  name,
  xmlPath: `/t/${name}.xml`,
  disks: [`/img/${name}.qcow2`],
  ...extra,
});
const clone = (template: string, id: number, state: CloneState = 'off', extra: Partial<CloneInfo> = {}): CloneInfo => ({
  template,
  id,
  name: `${template}#${id}`,
  uuid: `${template}-uuid-${id}`,
  state,
  reason: 'unknown',
  saved: state === 'saved',
  ...extra,
});
const inv = (templates: TemplateInfo[], clones: CloneInfo[]): Inventory => ({ templates, clones, foreign: [] });

describe('tree model', () => {
  it('lists templates by name with their clones by number', () => {
    const m = new TreeModel();
    m.update(inv([tpl('b'), tpl('a')], [clone('a', 10), clone('a', 2), clone('b', 1), clone('a', 1)]));
    assert.deepEqual(
      m.templates.map((t) => [t.template.name, t.clones.map((c) => c.clone.id)]),
      [
        ['a', [1, 2, 10]],
        ['b', [1]],
      ],
    );
  });

  it('keeps node identity and reports only the clones whose state changed', () => {
    const m = new TreeModel();
    m.update(inv([tpl('a')], [clone('a', 1), clone('a', 2)]));
    const one = m.templates[0]!.clones[0]!;
    const two = m.templates[0]!.clones[1]!;
    const ch = m.update(inv([tpl('a')], [clone('a', 1, 'running'), clone('a', 2)]));
    assert.equal(ch.all, false);
    assert.deepEqual(ch.nodes, [one]);
    assert.equal(m.templates[0]!.clones[0], one);
    assert.equal(one.clone.state, 'running');
    assert.equal(m.templates[0]!.clones[1], two);
    assert.deepEqual(m.update(inv([tpl('a')], [clone('a', 1, 'running'), clone('a', 2)])).nodes, []);
  });

  it('reports the template when its clones are added or removed, and all when templates change', () => {
    const m = new TreeModel();
    m.update(inv([tpl('a')], [clone('a', 1)]));
    const a = m.templates[0]!;
    const added = m.update(inv([tpl('a')], [clone('a', 1), clone('a', 2)]));
    assert.deepEqual(added, { all: false, nodes: [a] });
    const removed = m.update(inv([tpl('a')], [clone('a', 2)]));
    assert.deepEqual(removed, { all: false, nodes: [a] });
    assert.equal(m.clone('a-uuid-1'), undefined);
    assert.equal(m.update(inv([tpl('a'), tpl('b')], [clone('a', 2)])).all, true);
  });

  it('lists clones whose template file is gone under a template marked with the problem', () => {
    const m = new TreeModel();
    m.update(inv([], [clone('gone', 1)]));
    assert.equal(m.templates.length, 1);
    assert.match(m.templates[0]!.template.problem ?? '', /not found/);
  });

  it("reports the template too when its staging clone's state changes (its menus follow that state)", () => {
    const m = new TreeModel();
    const staged = (state: CloneState) => clone('a', 0, state, { staging: true, name: 'a#staging' });
    m.update(inv([tpl('a', { staging: true })], [staged('running'), clone('a', 1)]));
    const template = m.templates[0]!;
    const stagingNode = template.clones[0]!;
    assert.deepEqual(m.update(inv([tpl('a', { staging: true })], [staged('off'), clone('a', 1)])).nodes, [template]);
    assert.deepEqual(m.applyEvent({ domain: 'a#staging', event: 'Started', detail: 'Booted' }).nodes, [template, stagingNode]);
    // An ordinary clone's change stays its own.
    const now = { ...stagingNode.clone };
    assert.deepEqual(m.update(inv([tpl('a', { staging: true })], [now, clone('a', 1, 'running')])).nodes, [template.clones[1]]);
  });

  it('applies a lifecycle event at once to the clone of that domain name', () => {
    const m = new TreeModel();
    m.update(inv([tpl('a')], [clone('a', 1, 'running')]));
    const ch = m.applyEvent({ domain: 'a#1', event: 'Suspended', detail: 'Paused' });
    assert.equal(ch.nodes.length, 1);
    assert.equal(m.clone('a-uuid-1')!.clone.state, 'paused');
    assert.deepEqual(m.applyEvent({ domain: 'someone-else', event: 'Started', detail: 'Booted' }).nodes, []);
    assert.deepEqual(m.applyEvent({ domain: 'a#1', event: 'Defined', detail: 'Updated' }).nodes, []);
  });

  it('maps virsh lifecycle events to states', () => {
    const c = clone('a', 1, 'running');
    const st = (event: string, detail: string): string | undefined => {
      const r = stateFromEvent({ domain: 'x', event, detail }, c);
      return r && `${r.state}/${r.reason}`;
    };
    assert.equal(st('Started', 'Booted'), 'running/booted');
    assert.equal(st('Stopped', 'Destroyed'), 'off/destroyed');
    assert.equal(st('Stopped', 'Crashed'), 'off/crashed');
    assert.equal(st('Stopped', 'Saved'), 'saved/saved');
    assert.equal(st('Resumed', 'Unpaused'), 'running/unpaused');
    assert.equal(st('Suspended', 'Paused'), 'paused/user');
    assert.equal(st('Undefined', 'Removed'), undefined);
  });
});

describe('tree presentation', () => {
  it('encodes kind and state in contextValue', () => {
    assert.equal(cloneContextValue(clone('a', 1, 'running')), 'runningClone');
    assert.equal(cloneContextValue(clone('a', 1, 'off')), 'shutoffClone');
    assert.equal(cloneContextValue(clone('a', 1, 'in-shutdown')), 'inShutdownClone');
    assert.equal(cloneContextValue(clone('a', 0, 'running', { staging: true })), 'stagingClone');
  });

  it('shows the reason only where it says more than the state', () => {
    assert.equal(cloneDescription(clone('a', 1, 'off', { reason: 'crashed' })), 'off - crashed');
    assert.equal(cloneDescription(clone('a', 1, 'off', { reason: 'shutdown' })), 'off');
    assert.equal(cloneDescription(clone('a', 1, 'running', { reason: 'booted' })), 'running');
    assert.equal(cloneDescription(clone('a', 1, 'paused', { reason: 'ioerror' })), 'paused - ioerror');
    assert.equal(cloneDescription(clone('a', 1, 'running'), 'suspending'), 'suspending… (running)');
  });

  it('labels clones by number and templates by clone count and staging', () => {
    assert.equal(cloneLabel(clone('a', 7)), '7 a#7');
    assert.equal(templateDescription(tpl('a', { staging: true }), 3), '3 clones · staging');
    assert.equal(templateDescription(tpl('a'), 1), '1 clone');
  });
});
