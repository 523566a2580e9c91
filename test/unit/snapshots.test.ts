/**
 * The pure parts of snapshots: libvirt's snapshot document (captured from real `virsh snapshot-dumpxml`), the
 * newest-first order, and the guard that decides whether libvirt may be asked at all.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { applyEdits, metaEdit, parseDomain } from '../../src/libvirt/domain';
import type { SnapshotInfo } from '../../src/libvirt/api';
import { newestFirst, parseSnapshotXml, snapshotRefusal, SNAPSHOT_ACTIONS } from '../../src/libvirt/snapshots';

const fixture = (f: string) => fs.readFileSync(`test/fixtures/virsh/${f}`, 'utf8');
const OVERLAY = '/var/tmp/probe/a.qcow2';

/** The captured clone XML with bookkeeping that lists its overlay, then `change` applied to the text. */
function clone(change: (xml: string) => string = (x) => x, meta: object = {}): ReturnType<typeof parseDomain> {
  const d = parseDomain(fixture('dumpxml-inactive.xml'));
  const xml = applyEdits(d.xml, [metaEdit(d, { template: 'T', id: 3, overlays: [OVERLAY], ...meta })]);
  return parseDomain(change(xml));
}
const refusal = (d: ReturnType<typeof parseDomain>, o: { saved?: boolean; templates?: string[] } = {}, use: 'take' | 'revert' | 'delete' = 'take') =>
  snapshotRefusal({ domain: d, templateDisks: new Set(o.templates ?? ['/var/tmp/probe/template.qcow2']), saved: o.saved ?? false }, use);

describe('snapshots: parsing libvirt\'s snapshot documents', () => {
  it('reads name, state, time, parent, memory and where the disks went from real snapshot-dumpxml output', () => {
    const s = parseSnapshotXml(fixture('snapshot-dumpxml-shutoff.xml'), true);
    assert.deepEqual(s, { name: 's 2', description: '', state: 'shutoff', created: 1796661207, parent: 's1', withMemory: false, internal: true, current: true });
  });

  it('reads a description with entities, memory kept, and an external disk as not internal', () => {
    const xml = `<domainsnapshot><name>a&amp;b</name><description>x &lt; y</description><state>running</state><creationTime>5</creationTime>
      <memory snapshot='internal'/><disks><disk name='vda' snapshot='external'/></disks></domainsnapshot>`;
    const s = parseSnapshotXml(xml);
    assert.deepEqual([s.name, s.description, s.withMemory, s.internal, s.parent, s.current], ['a&b', 'x < y', true, false, undefined, false]);
    assert.throws(() => parseSnapshotXml('<domain/>'), /Not a libvirt snapshot/);
  });

  it('orders newest first, then by name', () => {
    const at = (name: string, created: number) => ({ ...parseSnapshotXml(fixture('snapshot-dumpxml-shutoff.xml')), name, created });
    assert.deepEqual(newestFirst([at('b', 1), at('c', 3), at('a', 1)]).map((s) => s.name), ['c', 'a', 'b']);
  });

  it('within one second (creationTime counts seconds), a snapshot taken on top of another is the newer', () => {
    const at = (name: string, created: number, parent?: string) => {
      const base: { parent?: string } & Omit<SnapshotInfo, 'parent'> = { ...parseSnapshotXml(fixture('snapshot-dumpxml-shutoff.xml')) };
      delete base.parent;
      return { ...base, name, created, ...(parent ? { parent } : {}) };
    };
    // "first", then "second" on top of it, then "third" on top of "second", all in the same second.
    const list = [at('first', 5), at('third', 5, 'second'), at('second', 5, 'first'), at('older', 4)];
    assert.deepEqual(newestFirst(list).map((s) => s.name), ['third', 'second', 'first', 'older']);
  });
});

describe('snapshots: the guard before libvirt is asked', () => {
  it('lets a clone whose only writable disk is its own qcow2 overlay through', () => {
    assert.equal(refusal(clone()), undefined);
  });

  it('refuses a writable disk that is a template image, even when the bookkeeping lists it', () => {
    const d = clone((x) => x.replace(OVERLAY, '/var/tmp/probe/template.qcow2'), { overlays: ['/var/tmp/probe/template.qcow2'] });
    assert.match(refusal(d) ?? '', /template's image/);
  });

  it('refuses a writable disk that is not one of its overlays, and one that is not qcow2', () => {
    assert.match(refusal(clone((x) => x.replace(OVERLAY, '/var/tmp/other.qcow2'))) ?? '', /not one of the overlays/);
    assert.match(refusal(clone((x) => x.replace("type='qcow2'", "type='raw'"))) ?? '', /is raw, not qcow2/);
  });

  it('ignores read-only disks and cdroms (no snapshot goes into them)', () => {
    const cd = `<disk type='file' device='cdrom'><source file='/iso/x.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>`;
    assert.equal(refusal(clone((x) => x.replace('<controller ', `${cd}\n    <controller `))), undefined);
  });

  it('refuses UEFI (pflash) firmware and a saved state for taking and reverting, with what to do; deleting is allowed', () => {
    const efi = clone((x) => x.replace('<os>', "<os firmware='efi'>"));
    assert.match(refusal(efi) ?? '', /UEFI firmware from pflash/);
    const pflash = clone((x) => x.replace('<boot ', "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>\n    <boot "));
    assert.match(refusal(pflash, {}, 'revert') ?? '', /pflash/);
    assert.match(refusal(clone(), { saved: true }, 'revert') ?? '', /start it to resume that state, or remove the state with save-rm/);
    assert.equal(refusal(clone(), { saved: true }, 'delete'), undefined);
  });

  it('refuses a domain without bookkeeping and the staging clone', () => {
    assert.match(refusal(parseDomain(fixture('dumpxml-inactive.xml').replace(/<metadata>[\s\S]*<\/metadata>/, ''))) ?? '', /not a qq2clone clone/);
    assert.match(refusal(clone((x) => x, { staging: true })) ?? '', /staging clone/);
  });

  it('builds array arguments per action: a description only when given, names after their options', () => {
    const u = 'u-1';
    assert.deepEqual(SNAPSHOT_ACTIONS.create.args(u, { kind: 'create', name: 'n' }), ['snapshot-create-as', '--domain', u, '--name', 'n', '--atomic']);
    assert.deepEqual(SNAPSHOT_ACTIONS.create.args(u, { kind: 'create', name: 'n', description: 'd e' }), [
      'snapshot-create-as', '--domain', u, '--name', 'n', '--description', 'd e', '--atomic',
    ]);
    assert.deepEqual(SNAPSHOT_ACTIONS.revert.args(u, { kind: 'revert', name: 'n' }), ['snapshot-revert', '--domain', u, '--snapshotname', 'n']);
    assert.equal(SNAPSHOT_ACTIONS.create.skip('in-shutdown') !== undefined, true);
    assert.equal(SNAPSHOT_ACTIONS.create.skip('paused'), undefined);
  });
});
