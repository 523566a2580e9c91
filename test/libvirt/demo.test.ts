/**
 * The demo template of `npm start` (scripts/demo.ts), imported through the product's own import into a test
 * home: only when the home has no template, once, and never again after the user deleted it.
 */
import * as assert from 'node:assert/strict';
import { graphicsOf } from '../../src/libvirt/display';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLibvirtService } from '../../src/libvirt';
import { deleteTemplate } from '../../src/libvirt/templates/templateOps';
import { DEMO_MARKER, DEMO_NAME, ensureDemoTemplate, unreachableByQemu } from '../../scripts/demo';
import { TEST_URI, TestBed } from '../testbed';
import { depsFor } from './templateHelpers';

describe('demo template of npm start (real libvirt)', function () {
  this.timeout(120_000);
  let bed: TestBed;
  before(() => (bed = new TestBed('demo')));
  after(() => bed?.cleanup());

  it('is imported into a home without templates, with its own read-only disk and kernel, and remembered', async () => {
    const home = path.join(bed.root, 'fresh');
    const said = await ensureDemoTemplate(TEST_URI, home);
    assert.match(said, /imported as "demo"/);
    const demoSvc = createLibvirtService({ uri: TEST_URI, home });
    try {
      const t = (await demoSvc.inventory()).templates.find((x) => x.name === DEMO_NAME);
      assert.ok(t, 'the template is listed');
      assert.deepEqual(t.disks, [path.join(home, 'demo', 'demo.qcow2')]);
      assert.equal(fs.statSync(t.disks[0]!).mode & 0o222, 0, 'the import made its disk read-only');
      const xml = await demoSvc.templateXml(DEMO_NAME);
      assert.match(xml, new RegExp(`<kernel>${path.join(home, 'demo', 'vmlinuz')}</kernel>`), 'boots its own copy of the kernel, the one whose text console draws on the screen');
      assert.match(xml, /<description>qq2clone demo template/);
      assert.deepEqual(graphicsOf(xml), [{ type: 'vnc', listen: '127.0.0.1' }], 'a VNC display on loopback, for Open Console');
      assert.ok(fs.existsSync(path.join(home, DEMO_MARKER)));

      assert.match(await ensureDemoTemplate(TEST_URI, home), /imported before/);
      await deleteTemplate(depsFor(demoSvc), DEMO_NAME);
      assert.match(await ensureDemoTemplate(TEST_URI, home), /imported before/);
      assert.equal((await demoSvc.inventory()).templates.length, 0, 'a deleted demo is not imported again');
    } finally {
      demoSvc.dispose();
    }
  });

  it('is not imported into a home that has a template, and nothing is remembered there', async () => {
    const home = path.join(bed.root, 'used');
    bed.makeTemplateFile(path.join(home, 'templates'), 'mine');
    assert.match(await ensureDemoTemplate(TEST_URI, home), /not imported, 1 template\(s\) already exist/);
    assert.equal(fs.existsSync(path.join(home, DEMO_MARKER)), false);
    assert.equal(fs.existsSync(path.join(home, 'demo')), false);
  });

  it('says when the qemu user cannot enter the home (root\'s home is 0700)', () => {
    const locked = path.join(bed.root, 'locked');
    fs.mkdirSync(path.join(locked, 'home'), { recursive: true, mode: 0o755 });
    fs.chmodSync(locked, 0o700);
    assert.match(unreachableByQemu(path.join(locked, 'home', 'storage-qq2clone')) ?? '', /locked \(mode 700\) cannot be entered/);
    assert.equal(unreachableByQemu(bed.root), undefined);
  });
});
