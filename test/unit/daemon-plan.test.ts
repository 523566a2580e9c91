/**
 * The restart tests' plan (test/daemon.ts): they stop whichever daemon serves the domains, libvirtd or, with
 * modular daemons, virtqemud, start it again the way it was started, and where they cannot run they say why.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { daemonFacts, planRestart, restartTitle, systemDaemonPid, type DaemonFacts } from '../daemon';

const base: DaemonFacts = { allowed: true, root: true, uri: 'qemu:///system', pids: {}, systemd: [] };

describe('daemon restart plan', () => {
  it('one daemon (libvirtd): stop it, start it with -d', () => {
    assert.deepEqual(planRestart({ ...base, pids: { libvirtd: 41 } }), { daemon: 'libvirtd', pid: 41, start: ['libvirtd', '-d'] });
  });

  it('modular daemons: virtqemud serves the domains; systemd starts what it runs', () => {
    assert.deepEqual(planRestart({ ...base, pids: { virtqemud: 7 } }), { daemon: 'virtqemud', pid: 7, start: ['virtqemud', '-d'] });
    assert.deepEqual(planRestart({ ...base, pids: { virtqemud: 7, libvirtd: 9 }, systemd: ['virtqemud'] }), {
      daemon: 'virtqemud',
      pid: 7,
      start: ['systemctl', 'start', 'virtqemud'],
    });
  });

  it('says plainly why the restart tests do not run', () => {
    const why = (f: Partial<DaemonFacts>) => {
      const p = planRestart({ ...base, pids: { libvirtd: 1 }, ...f });
      assert.ok('skip' in p, JSON.stringify(p));
      return p.skip;
    };
    assert.match(why({ allowed: false }), /disturbs anything else using it; set QQ2CLONE_TEST_RESTART_DAEMON=1/);
    assert.match(why({ root: false }), /needs root/);
    assert.match(why({ uri: 'qemu:///session' }), /not the local system daemon/);
    assert.match(why({ pids: {} }), /neither libvirtd nor virtqemud is running/);
    assert.match(restartTitle('survives a restart', planRestart({ ...base, allowed: false })), /^survives a restart \(skipped: it stops/);
  });

  it("takes root's daemon, never a user's session daemon of the same name (else a stopped daemon is never started again)", () => {
    assert.equal(systemDaemonPid([{ pid: 5, uid: 1001 }, { pid: 9, uid: 0 }]), 9);
    assert.equal(systemDaemonPid([{ pid: 5, uid: 1001 }, { pid: 6, uid: undefined }]), undefined);
  });

  it('finds the daemon that runs on this machine', () => {
    const f = daemonFacts('qemu:///system', { QQ2CLONE_TEST_RESTART_DAEMON: '1' });
    assert.ok(f.pids.libvirtd || f.pids.virtqemud, JSON.stringify(f));
    for (const pid of Object.values(f.pids)) assert.equal(fs.statSync(`/proc/${pid}`).uid, 0, `${pid} is root's`);
    const p = planRestart(f);
    assert.ok(!('skip' in p) || !f.root, JSON.stringify(p));
  });
});
