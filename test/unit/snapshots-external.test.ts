/**
 * Whether external snapshots are offered: only where the libvirt daemon reverts them (9.9 and later). The 9.0
 * output is captured from real `virsh version --daemon`; the others are that capture with the daemon's line changed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { daemonVersion, externalSnapshotSupport } from '../../src/libvirt/snapshots';

const real = fs.readFileSync('test/fixtures/virsh/version-daemon-9.0.txt', 'utf8');
const withDaemon = (v: string) => real.replace(/^Running against daemon: .*$/m, `Running against daemon: ${v}`);

describe('snapshots: external ones only where the daemon reverts them', () => {
  it("reads the daemon's version, not the client library's", () => {
    assert.deepEqual(daemonVersion(real), [9, 0, 0]);
    const mixed = real.replace('Using library: libvirt 9.0.0', 'Using library: libvirt 10.0.0');
    assert.deepEqual(daemonVersion(mixed), [9, 0, 0]);
    assert.equal(daemonVersion(real.replace(/^Running against daemon: .*\n/m, '')), undefined);
  });

  it('libvirt 9.0 (this host): not offered, with the reason and what to do', () => {
    assert.deepEqual(externalSnapshotSupport(real), {
      supported: false,
      daemon: '9.0.0',
      reason:
        'The libvirt daemon here is 9.0.0, which cannot revert external snapshots (that came with libvirt 9.9.0). ' +
        "Take an internal snapshot instead (leave out --external): it is kept inside the clone's own overlay and reverts on this host.",
    });
  });

  it('the boundary: 9.8.x no, 9.9.0 and later (10.0, 11.2) yes', () => {
    const yes = (v: string) => externalSnapshotSupport(withDaemon(v)).supported;
    assert.deepEqual(['8.10.0', '9.8.0', '9.8.9', '9.9.0', '9.10.0', '10.0.0', '11.2.0'].map(yes), [false, false, false, true, true, true, true]);
    assert.deepEqual(externalSnapshotSupport(withDaemon('10.0.0')), { supported: true, daemon: '10.0.0' });
  });

  it('a daemon that does not say its version: not offered, saying so', () => {
    const s = externalSnapshotSupport(real.replace(/^Running against daemon: .*\n/m, ''));
    assert.equal(s.supported, false);
    assert.match(s.reason!, /^The libvirt daemon did not say its version, so it is not known to revert external snapshots \(libvirt 9\.9\.0 and later do\)\. Take an internal snapshot/);
  });
});
