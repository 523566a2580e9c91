/**
 * Which tree items each context-menu entry is offered on: contextValues composed by the presentation from real
 * states (staging, clones, problem), evaluated against package.json's `when` clauses as VS Code reads them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TemplateInfo } from '../../src/libvirt/api';
import { ALL_CONTEXT_VALUES, problemKind, templateContextValue, templateDescription } from '../../src/extension/tree/presentation';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { menus: Record<string, { command: string; when?: string; group?: string }[]> };
};
const items = pkg.contributes.menus['view/item/context']!;

/** The subset of when-clause syntax the tree's menus use: `a && b`, `view == x`, `viewItem == x`, `viewItem =~ /re/`. */
function holds(when: string, viewItem: string): boolean {
  return when.split(/\s*&&\s*/).every((term) => {
    let m = /^view\s*==\s*(\S+)$/.exec(term);
    if (m) return m[1] === 'qq2clone.templates';
    m = /^viewItem\s*==\s*'?([\w-]+)'?$/.exec(term);
    if (m) return m[1] === viewItem;
    m = /^viewItem\s*=~\s*\/(.+)\/([a-z]*)$/.exec(term);
    if (m) return new RegExp(m[1]!, m[2]).test(viewItem);
    throw new Error(`when-term not understood by this test: ${term}`);
  });
}

/** The contextValues on which `command` is offered (in `group`'s kind: inline or the menu). */
function offeredOn(command: string, inline = false): string[] {
  return ALL_CONTEXT_VALUES.filter((v) =>
    items.some((i) => i.command === command && (i.group ?? '').startsWith('inline') === inline && holds(i.when ?? '', v)),
  );
}

const template = (extra: Partial<TemplateInfo> = {}): TemplateInfo => ({ name: 't', xmlPath: '/x/t.xml', disks: [], ...extra });

describe('template contextValues and the menus they open', () => {
  it('compose kind, staging and clones', () => {
    assert.equal(templateContextValue(template(), 0), 'template');
    assert.equal(templateContextValue(template(), 2), 'templateWithClones');
    assert.equal(templateContextValue(template({ staging: true }), 0, 'Running'), 'templateStagingRunningWithClones');
    assert.equal(templateContextValue(template({ staging: true }), 3, 'Off'), 'templateStagingOffWithClones');
    assert.equal(templateContextValue(template({ staging: true }), 3, 'Saved'), 'templateStagingSavedWithClones');
    assert.equal(templateContextValue(template({ problem: 'Not well-formed XML: x' }), 0), 'brokenTemplate');
    assert.equal(templateContextValue(template({ problem: 'template XML file not found; its clones remain' }), 1), 'brokenTemplateWithClones');
    const staging = ['templateStagingRunningWithClones', 'templateStagingOffWithClones', 'templateStagingSavedWithClones'];
    for (const v of ['template', 'templateWithClones', ...staging, 'brokenTemplate', 'brokenTemplateWithClones']) {
      assert.ok(ALL_CONTEXT_VALUES.includes(v), v);
    }
  });

  it('offer Prepare only when nothing is staged; Discard when something is, Force Off only while it runs, Commit only once it is off and not saved', () => {
    assert.deepEqual(offeredOn('qq2clone.prepareImage'), ['template', 'templateWithClones']);
    assert.deepEqual(offeredOn('qq2clone.discardImage'), [
      'templateStagingRunningWithClones',
      'templateStagingOffWithClones',
      'templateStagingSavedWithClones',
      'stagingClone',
    ]);
    assert.deepEqual(offeredOn('qq2clone.destroyImage'), ['templateStagingRunningWithClones', 'stagingClone']);
    assert.deepEqual(offeredOn('qq2clone.commitImage'), ['templateStagingOffWithClones', 'stagingClone']);
  });

  it('offer the disk and power-off policy commands on every usable template, with clones or staging too', () => {
    for (const c of ['qq2clone.browseDisk', 'qq2clone.copyOutOfDisk', 'qq2clone.setPolicy']) {
      const on = offeredOn(c).filter((v) => v.startsWith('template'));
      assert.deepEqual(on, ['template', 'templateWithClones', 'templateStagingRunningWithClones', 'templateStagingOffWithClones', 'templateStagingSavedWithClones'], c);
    }
  });

  it('offer Delete Template only on a template without clones', () => {
    assert.deepEqual(offeredOn('qq2clone.deleteTemplate'), ['template', 'brokenTemplate']);
  });

  it('offer Clone (inline and in the menu) on usable templates only, Show Problem on broken ones only', () => {
    const usable = ['template', 'templateWithClones', 'templateStagingRunningWithClones', 'templateStagingOffWithClones', 'templateStagingSavedWithClones'];
    assert.deepEqual(offeredOn('qq2clone.clone', true), usable);
    assert.deepEqual(offeredOn('qq2clone.clone'), usable);
    assert.deepEqual(offeredOn('qq2clone.showTemplateProblem', true), ['brokenTemplate', 'brokenTemplateWithClones']);
    assert.deepEqual(offeredOn('qq2clone.showTemplateProblem'), ['brokenTemplate', 'brokenTemplateWithClones']);
    assert.deepEqual(offeredOn('qq2clone.editTemplate'), [...usable, 'brokenTemplate', 'brokenTemplateWithClones']);
  });

  it('offer the clone-set commands on a template only when it has clones', () => {
    for (const c of ['qq2clone.connect', 'qq2clone.exec', 'qq2clone.execParallel']) {
      const on = offeredOn(c);
      assert.ok(on.includes('templateWithClones') && on.includes('runningClone'), c);
      assert.ok(!on.includes('template') && !on.includes('brokenTemplate'), c);
    }
  });

  it('offer Take Snapshot on clones that are off, running or paused; Revert and Delete only on snapshots; no clone command on a snapshot', () => {
    assert.deepEqual(offeredOn('qq2clone.takeSnapshot'), ['runningClone', 'idleClone', 'pausedClone', 'shutoffClone']);
    for (const c of ['qq2clone.revertSnapshot', 'qq2clone.deleteSnapshot']) assert.deepEqual(offeredOn(c), ['snapshot', 'currentSnapshot'], c);
    const onSnapshots = items.filter((i) => holds(i.when ?? '', 'snapshot') || holds(i.when ?? '', 'currentSnapshot')).map((i) => i.command);
    assert.deepEqual(onSnapshots.sort(), ['qq2clone.deleteSnapshot', 'qq2clone.revertSnapshot']);
  });

  it('the evaluator itself rejects what VS Code would reject', () => {
    assert.equal(holds('view == qq2clone.templates && viewItem == template', 'templateWithClones'), false);
    assert.equal(holds('view == qq2clone.templates && viewItem =~ /^template/', 'templateWithClones'), true);
    assert.equal(holds('view == other && viewItem =~ /^template/', 'template'), false);
  });
});

describe('template problems in the row', () => {
  it('show a short kind in the description (the whole text is in the tooltip and Show Problem)', () => {
    const long = 'Not well-formed XML (line 3): Opening and ending tag mismatch: name line 2 and nam, with much more to read';
    assert.equal(templateDescription(template({ problem: long }), 0), '0 clones · problem: XML not well-formed');
    assert.equal(problemKind('template XML file not found; its clones remain'), 'XML file missing');
    assert.equal(problemKind('Its name is not usable (it has a space) Rename the file to a usable name.'), 'unusable file name');
    assert.equal(problemKind('Not a libvirt domain document: the root element is not <domain>.'), 'not a domain');
    assert.equal(problemKind("EACCES: permission denied, open '/x/t.xml'"), 'XML file unreadable');
  });
});
