/**
 * A template's <ssh:login user=...> reaches its clones (cloning keeps foreign metadata) and becomes ssh's -l when no
 * user is set; a user set in the settings wins. The clone runs an empty disk: the forward needs QEMU, not an OS.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import { prepareSsh } from '../../src/libvirt/guests';
import { SSH_NS } from '../../src/libvirt/domain';
import { TestBed, TEST_URI } from '../testbed';

describe('SSH login user from the template (real daemon)', () => {
  let bed: TestBed;
  let svc: Libvirt;
  before(() => {
    bed = new TestBed('sshlogin');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  it("the clone's ssh line logs in as the template's user unless the settings name one", async () => {
    const t = bed.makeTemplateFile(svc.config.templateDir, 'tpl');
    const xml = fs.readFileSync(t.xmlPath, 'utf8');
    fs.writeFileSync(t.xmlPath, xml.replace('<memory', `<metadata>\n    <ssh:login xmlns:ssh="${SSH_NS}" user="labuser"/>\n  </metadata>\n  <memory`));
    const [c] = await svc.clone(t.name, 1, { run: true });
    const fromTemplate = await prepareSsh(svc, c!.uuid, {});
    const l = fromTemplate.line.args.indexOf('-l');
    assert.ok(l >= 0, fromTemplate.line.args.join(' '));
    assert.equal(fromTemplate.line.args[l + 1], 'labuser');
    assert.equal(fromTemplate.target.host, '127.0.0.1');
    const fromSettings = await prepareSsh(svc, c!.uuid, { user: 'root' });
    assert.equal(fromSettings.line.args[fromSettings.line.args.indexOf('-l') + 1], 'root');
    await svc.run('rm', [c!]);
  });
});
