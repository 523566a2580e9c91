// One storage, several connections: the home, STORAGE and the template directory do not depend on the connection, so
// a clone made on another account's qemu:///session keeps its overlay in the storage that qemu:///system uses too.
// Nothing may be deleted as unused on one connection's word while another connection that made clones there is not
// read. And a remote connection never acts on this machine's files.
// (As root, qemu:///session reaches the system daemon's domains here, so the other connection is a real session
// daemon of the account nobody, reached through its socket.)
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLibvirtService } from '../../src/libvirt';
import type { LibvirtService } from '../../src/libvirt/api';
import { applyFix, runCheck } from '../../src/libvirt/check';
import { importTemplate, unusedGenerations } from '../../src/libvirt/templates';
import { prepareImage } from '../../src/libvirt/clones/staging';
import { TestBed, TEST_URI } from '../testbed';
import { depsFor } from './templateHelpers';

/** A libvirt session daemon of the account nobody, with its runtime files under `dir`; stopped by its pid. */
async function sessionDaemon(dir: string): Promise<{ uri: string; stop(): Promise<void> }> {
  fs.mkdirSync(dir, { recursive: true });
  fs.chownSync(dir, 65534, 65534);
  const env = ['HOME', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME'].map((k, i) => `${k}=${path.join(dir, ['', 'run', 'cfg', 'cache'][i]!)}`);
  const proc: ChildProcess = spawn('runuser', ['-u', 'nobody', '--', 'env', ...env, '/usr/sbin/libvirtd', '--timeout=3600'], { stdio: 'ignore' });
  const socket = path.join(dir, 'run/libvirt/libvirt-sock');
  const end = Date.now() + 120_000;
  while (!fs.existsSync(socket)) {
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`the session daemon did not make ${socket} (exit ${proc.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    uri: `qemu+unix:///session?socket=${socket}`,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    },
  };
}

describe('one storage shared by several connections (real libvirt)', function () {
  this.timeout(300000);
  let bed: TestBed;
  const services: LibvirtService[] = [];
  const serviceOn = (uri: string): LibvirtService => {
    const s = createLibvirtService({ uri, home: bed.root, templateDir: path.join(bed.root, 'templates'), storage: path.join(bed.root, 'pool') });
    services.push(s);
    return s;
  };
  let daemon: Awaited<ReturnType<typeof sessionDaemon>> | undefined;
  beforeEach(() => {
    bed = new TestBed('shr');
  });
  afterEach(async () => {
    for (const s of services.splice(0)) s.dispose();
    await daemon?.stop(); // its domains live in the bed's directory, removed with it
    daemon = undefined;
    bed.cleanup();
  });

  it('check --fix on qemu:///system keeps the overlay of a clone made on another session in the same storage', async () => {
    daemon = await sessionDaemon(path.join(bed.root, 'nobody'));
    const session = serviceOn(daemon.uri);
    const system = serviceOn(TEST_URI);
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 't');
    await importTemplate(depsFor(session), t.xmlPath);
    const [clone] = await session.clone(t.name, 1);
    const [overlay] = await session.cloneDisks(clone!.uuid);
    assert.ok(overlay && fs.existsSync(overlay));
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(overlay, hourAgo, hourAgo); // old enough to be called a left-over

    // What check --fix applies without asking: every fix that is not explicit.
    const found = (await runCheck(system)).filter((f) => f.file === overlay);
    assert.deepEqual(found.map((f) => f.fix), [], `nothing is offered for ${overlay}`);
    for (const f of (await runCheck(system)).filter((x) => x.fix && !x.explicit && x.file?.startsWith(bed.root))) await applyFix(system, f);
    assert.ok(fs.existsSync(overlay), 'the session clone keeps its overlay');
    // The same rule for image generations (commit-image, delete-template): in use on the other connection.
    assert.deepEqual((await unusedGenerations(system, [overlay])).unused, []);
    assert.equal((await session.inventory()).clones.length, 1, 'the session clone is still defined');

    // A connection that made clones here but cannot be read now means "keep".
    session.dispose();
    await daemon.stop();
    const kept = (await runCheck(system)).find((f) => f.file === overlay);
    assert.equal(kept?.kind, 'orphan-overlay');
    assert.equal(kept?.fix, undefined);
    assert.ok(kept?.advice?.includes(daemon.uri), kept?.advice);
    await assert.rejects(applyFix(system, { ...kept!, fix: `Delete ${overlay}.` }), /Not deleted/);
    assert.ok(fs.existsSync(overlay));
  });

  it('a remote connection: clone, rm and check go to that host through libvirt, never to local files; staging refuses', async () => {
    const local = serviceOn(TEST_URI);
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'r');
    await importTemplate(depsFor(local), t.xmlPath);
    const remote = serviceOn('qemu+ssh://nobody@qq2clone-test.invalid/system');
    // The host cannot be reached: ssh's own error, with what to do (nothing local was used instead).
    const unreachable = /Cannot connect to libvirt at qemu\+ssh:\/\/nobody@qq2clone-test\.invalid\/system: .*Could not resolve hostname.*ssh cannot reach nobody@qq2clone-test\.invalid/;
    await assert.rejects(remote.clone(t.name, 1), unreachable);
    await assert.rejects(remote.run('rm', [{ template: t.name, id: 1, uuid: '00000000-0000-4000-8000-000000000001', name: `${bed.prefix}-r-1` }]), unreachable);
    const refused = (what: string) => new RegExp(`${what} works on files of this machine only; qemu\\+ssh://nobody@qq2clone-test\\.invalid/system reaches another machine`);
    await assert.rejects(runCheck(remote), unreachable);
    await assert.rejects(prepareImage(remote, t.name), refused('prepare-image'));
    const pool = path.join(bed.root, 'pool');
    assert.deepEqual(fs.existsSync(pool) ? fs.readdirSync(pool) : [], [], 'nothing was made in the storage');
  });
});
