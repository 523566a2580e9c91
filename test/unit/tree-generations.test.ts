import * as assert from 'node:assert/strict';
import type { CloneInfo, TemplateInfo } from '../../src/libvirt/api';
import { templateGeneration } from '../../src/extension/tree/generations';
import type { TemplateNode } from '../../src/extension/tree/model';
import {
  cloneDescription,
  cloneTooltip,
  shownCloneGeneration,
  templateDescription,
  templateTooltip,
} from '../../src/extension/tree/presentation';

const tpl = (disks: string[]): TemplateInfo => ({ name: 'web', xmlPath: '/t/web.xml', disks });
const node = (disks: string[]): TemplateNode => ({ kind: 'template', key: 'template:web', template: tpl(disks), clones: [] });
const clone: CloneInfo = {
  template: 'web',
  id: 1,
  name: 'web#1',
  uuid: 'u-1',
  state: 'off',
  reason: 'shutdown',
  saved: false,
};
// Paths as commit-image names them (src/libvirt/images.ts generationPath) and as an imported template has them.
const GEN3 = '/var/lib/qq2clone/template-images/web.gen3.vda.qcow2';
const IMPORTED = '/var/lib/libvirt/images/web.qcow2';

describe('tree: image generations', () => {
  it("a template's generation is its first disk's: 1 for the imported image, N for genN files, none without disks", () => {
    assert.equal(templateGeneration(node([IMPORTED])), 1);
    assert.equal(templateGeneration(node([GEN3, '/x/web.gen2.vdb.qcow2'])), 3);
    assert.equal(templateGeneration(node([])), undefined);
  });

  it('the template description shows the generation only past the first', () => {
    assert.equal(templateDescription(tpl([GEN3]), 2, 3), '2 clones · gen 3');
    assert.equal(templateDescription(tpl([IMPORTED]), 1, 1), '1 clone');
    assert.equal(templateDescription(tpl([]), 0, undefined), '0 clones');
  });

  it("a clone's generation is shown only when known and different from the template's", () => {
    assert.equal(shownCloneGeneration(1, 3), 1);
    assert.equal(shownCloneGeneration(3, 3), undefined);
    assert.equal(shownCloneGeneration(undefined, 3), undefined, 'not read yet');
    assert.equal(shownCloneGeneration(null, 3), undefined, 'could not be read');
    assert.equal(shownCloneGeneration(2, undefined), undefined, 'template without disks');
  });

  it('the clone description appends the generation after the state, inside the busy text', () => {
    assert.equal(cloneDescription(clone, undefined, 1), 'off · gen 1');
    assert.equal(cloneDescription({ ...clone, reason: 'crashed' }, undefined, 2), 'off - crashed · gen 2');
    assert.equal(cloneDescription(clone, 'starting', 1), 'starting… (off · gen 1)');
    assert.equal(cloneDescription(clone), 'off');
  });

  it('tooltips name the generation; a clone behind the template says which one the template is at', () => {
    const old = cloneTooltip(clone, {
      disks: [{ path: '/s/web#1.vda.qcow2', backing: IMPORTED }],
      generation: { clone: 1, template: 3 },
    });
    assert.match(old, /backed by `\/var\/lib\/libvirt\/images\/web\.qcow2`/);
    assert.match(old, /- Image generation: 1 \(the template is at generation 3\)/);
    const current = cloneTooltip(clone, { disks: [], generation: { clone: 3, template: 3 } });
    assert.match(current, /- Image generation: 3$/m);
    assert.doesNotMatch(cloneTooltip(clone, { disks: [] }), /generation/);
    assert.match(templateTooltip(tpl([GEN3]), 2, 3), /- Image generation: 3/);
  });
});
