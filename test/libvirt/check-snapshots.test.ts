/**
 * check and snapshots on the real daemon: a snapshot whose data is gone from the clone's overlay (deleted from the
 * image behind libvirt's back, as a replaced overlay would lose it) is reported; the fix deletes libvirt's record
 * only, after which check is clean and the clone's other snapshot is untouched.
 */
import * as assert from 'node:assert/strict';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import type { CloneRef } from '../../src/libvirt/api';
import { applyFix, runCheck } from '../../src/libvirt/check';
import { TestBed, TEST_URI, qemuImg, virsh } from '../testbed';

describe('check: snapshot metadata whose data is gone', function () {
  this.timeout(300_000);
  let bed: TestBed;
  let svc: Libvirt;
  let tpl: { name: string };

  before(() => {
    bed = new TestBed('chksnap');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
    tpl = bed.makeTemplateFile(svc.config.templateDir, 't');
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  it('reports it, and the fix deletes only libvirt\'s record', async () => {
    const [c] = await svc.clone(tpl.name, 1);
    const ref: CloneRef = { template: c!.template, id: c!.id, uuid: c!.uuid, name: c!.name };
    for (const name of ['kept', 'lost']) assert.equal((await svc.snapshot({ kind: 'create', name }, [ref])).done.length, 1);
    assert.deepEqual((await runCheck(svc, tpl.name)).filter((f) => f.kind === 'snapshot-data-missing'), []);
    const [overlay] = await svc.cloneDisks(c!.uuid);
    qemuImg('snapshot', '-d', 'lost', overlay!);
    const found = (await runCheck(svc, tpl.name)).filter((f) => f.kind === 'snapshot-data-missing');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.snapshot, 'lost');
    assert.match(found[0]!.message, /libvirt lists its snapshot lost, but the snapshot's data is gone from /);
    assert.match(await applyFix(svc, found[0]!), /Deleted libvirt's record of snapshot lost/);
    assert.equal(virsh('snapshot-list', '--name', c!.name).trim(), 'kept');
    assert.deepEqual((await runCheck(svc, tpl.name)).filter((f) => f.kind === 'snapshot-data-missing'), []);
  });
});
