/**
 * Batches on the real daemon: data isolation between a clone and its template, a batch that fails half-way and
 * one that is cancelled leave nothing half-made, pool storage, and bad input gives the manual's exit codes.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError, ExitCode, Qq2Error } from '../../src/core/errors';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import type { CloneInfo, CloneRef } from '../../src/libvirt/api';
import type { ServiceCore } from '../../src/libvirt/serviceCore';
import { runCloneOperation } from '../../src/libvirt/clones/setOperations';
import { Locks } from '../../src/libvirt/process/locks';
import { CONNECTIONS_FILE } from '../../src/libvirt/storage';
import { TestBed, TEST_URI, qemuImg, tinyDomainXml, tryVirsh, virsh, domainExists } from '../testbed';

const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const ref = (c: CloneInfo): CloneRef => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name });

describe('libvirt service: batches, failures, cancellation', function () {
  let bed: TestBed;
  let svc: Libvirt;
  let tpl: { name: string; xmlPath: string; disk: string };

  before(() => {
    bed = new TestBed('svcb');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
    tpl = bed.makeTemplateFile(svc.config.templateDir, 'tpl');
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  async function mine(): Promise<CloneInfo[]> {
    return (await svc.inventory()).clones.filter((c) => c.template === tpl.name);
  }

  /**
   * Every clone has its overlays, every file in storage belongs to a clone (but the storage's record of the
   * connections that use it), no prototype is left.
   */
  async function consistent(): Promise<void> {
    const owned = new Set<string>();
    for (const c of await mine()) {
      for (const d of await svc.cloneDisks(c.uuid)) {
        assert.ok(fs.existsSync(d), `clone ${c.name} has its overlay ${d}`);
        owned.add(d);
      }
    }
    const files = (fs.existsSync(svc.config.storage) ? fs.readdirSync(svc.config.storage) : []).filter((f) => f !== CONNECTIONS_FILE);
    for (const f of files) assert.ok(owned.has(path.join(svc.config.storage, f)), `file ${f} belongs to a clone`);
  }

  it("a clone's writes stay in its overlay; the template disk is never written", async () => {
    const [c] = await svc.clone(tpl.name, 1);
    const before = sha(tpl.disk);
    const [overlay] = await svc.cloneDisks(c!.uuid);
    const io = (file: string, cmd: string, ro = false) =>
      execFileSync('qemu-io', ['-f', 'qcow2', ...(ro ? ['-r'] : []), '-c', cmd, file], { encoding: 'utf8' });
    io(overlay!, 'write -P 0xab 0 1M');
    assert.doesNotMatch(io(overlay!, 'read -P 0xab 0 1M', true), /verification failed/i, 'the clone reads its data');
    assert.doesNotMatch(io(tpl.disk, 'read -P 0 0 1M', true), /verification failed/i, 'the template still reads zeros');
    assert.equal(sha(tpl.disk), before);
    // Run the guest and stop it: still the same template bytes.
    assert.equal((await svc.run('start', [ref(c!)])).done.length, 1);
    assert.equal((await svc.run('destroy', [ref(c!)])).done.length, 1);
    assert.equal(sha(tpl.disk), before);
    assert.equal((await svc.run('rm', [ref(c!)])).done.length, 1);
    assert.equal(sha(tpl.disk), before);
    assert.equal(fs.existsSync(overlay!), false);
  });

  it('a batch where one clone fails leaves nothing of that clone and keeps the others whole', async () => {
    // After clone 1, a domain outside the tool takes the name clone 2 is about to get: its define fails for real.
    const clash = `${tpl.name}-2`;
    const clashXml = path.join(bed.root, 'clash.xml');
    fs.writeFileSync(clashXml, tinyDomainXml({ name: clash, disk: bed.makeDisk('clash.qcow2') }));
    let err: unknown;
    try {
      await svc.clone(tpl.name, 3, {
        concurrency: 1,
        onProgress: (p) => {
          if (p.done === 1) virsh('define', clashXml);
        },
      });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof Qq2Error, String(err));
    assert.equal(err.exitCode, ExitCode.Libvirt);
    assert.match(err.message, /2 of 3 clones were made; 1 failed/);
    assert.match(err.message, /already exists/);
    const ids = (await mine()).map((c) => c.id);
    assert.deepEqual(ids, [1, 3], 'clone 2 is not there, 1 and 3 are');
    assert.equal(fs.existsSync(path.join(svc.config.storage, `${clash}-vda.qcow2`)), false, 'no overlay of the failed clone');
    assert.ok(domainExists(clash), 'the foreign domain is untouched');
    await consistent();
    // The next clone skips the taken name.
    const [next] = await svc.clone(tpl.name, 1);
    assert.equal(next!.id, 4);
    const r = await svc.run('rm', (await mine()).map(ref));
    assert.equal(r.done.length, 3);
    tryVirsh('undefine', clash);
  });

  it('cancelling a clone batch keeps whole clones only; cancelling a run puts every item in one list', async () => {
    const ac = new AbortController();
    let err: unknown;
    try {
      await svc.clone(tpl.name, 6, { concurrency: 1, signal: ac.signal, onProgress: (p) => p.done === 2 && ac.abort() });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof CancelledError, String(err));
    const made = await mine();
    assert.ok(made.length >= 2 && made.length < 6, `made ${made.length}`);
    await consistent();

    const refs = made.map(ref);
    const ac2 = new AbortController();
    const r = await svc.run('start', refs, { concurrency: 1, signal: ac2.signal, onProgress: () => ac2.abort() });
    assert.equal(r.done.length + r.cancelled.length + r.failed.length + r.skipped.length, refs.length);
    assert.ok(r.done.length >= 1 && r.cancelled.length >= 1, JSON.stringify({ done: r.done.length, cancelled: r.cancelled.length }));
    assert.equal(new Set([...r.done, ...r.cancelled].map((c) => c.uuid)).size, refs.length, 'each item once');

    const ac3 = new AbortController();
    ac3.abort();
    const r3 = await svc.run('destroy', refs, { signal: ac3.signal });
    assert.equal(r3.cancelled.length, refs.length);

    const gone = await svc.run('rm', refs);
    assert.equal(gone.done.length, refs.length, JSON.stringify(gone.failed.map((f) => f.error.message)));
    await consistent();
    assert.equal((await mine()).length, 0);
  });

  it('clone with run starts the new clones', async () => {
    const made = await svc.clone(tpl.name, 2, { run: true });
    const states = (await mine()).filter((c) => made.some((m) => m.uuid === c.uuid)).map((c) => c.state);
    assert.deepEqual(states, ['running', 'running']);
    const r = await svc.run('rm', made.map(ref));
    assert.equal(r.done.length, 2);
    await consistent();
  });

  it('clones into a libvirt directory pool by name, and rm deletes them there', async () => {
    const poolName = `${bed.prefix}-pool`;
    const dir = path.join(bed.root, 'pooldir');
    fs.mkdirSync(dir);
    virsh('pool-define-as', poolName, 'dir', '--target', dir);
    virsh('pool-start', poolName);
    const made = await svc.clone(tpl.name, 2, { storage: poolName });
    const disks = (await Promise.all(made.map((c) => svc.cloneDisks(c.uuid)))).flat();
    for (const d of disks) {
      assert.equal(path.dirname(d), dir);
      assert.equal(JSON.parse(qemuImg('info', '-U', '--output=json', d))['backing-filename'], tpl.disk);
    }
    const vols = virsh('vol-list', poolName);
    for (const d of disks) assert.ok(vols.includes(path.basename(d)), 'the pool was refreshed');
    const r = await svc.run('rm-wipe', made.map(ref));
    assert.equal(r.done.length, 2);
    for (const d of disks) assert.equal(fs.existsSync(d), false);
  });

  it('bad input: unknown template (13), bad template names (12), storage that is no pool (12) or a missing pool (16)', async () => {
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e instanceof Qq2Error ? [e.exitCode, e.message] : [0, String(e)];
      }
      return [-1, 'no error'];
    };
    const [c1, m1] = await code(svc.clone(`${bed.prefix}-missing`, 1));
    assert.equal(c1, ExitCode.Template);
    assert.match(String(m1), new RegExp(`^Template '${bed.prefix}-missing' does not exist \\((known templates: |no templates in )`));
    for (const bad of ['a/b', "it's", 'x"y', '../up']) assert.equal((await code(svc.clone(bad, 1)))[0], ExitCode.Usage, bad);
    assert.equal((await code(svc.clone(tpl.name, 1, { storage: 'no such pool!' })))[0], ExitCode.Usage);
    const [c4, m4] = await code(svc.clone(tpl.name, 1, { storage: `${bed.prefix}-nopool` }));
    assert.equal(c4, ExitCode.Libvirt);
    assert.match(String(m4), /Storage pool not found/);
    assert.equal((await mine()).length, 0);
  });
  it('rm of many clones asks libvirt a constant number of questions besides one undefine per clone', async () => {
    const made = await svc.clone(tpl.name, 8);
    const overlays = (await Promise.all(made.map((c) => svc.cloneDisks(c.uuid)))).flat();
    const calls: string[] = [];
    let batches = 0;
    // The real service, with each command it is asked written down.
    const recording: ServiceCore = {
      config: svc.config,
      metaCache: svc.metaCache,
      virsh: (args, signal) => {
        calls.push(args[0]!);
        return svc.virsh(args, signal);
      },
      virshBatch: (commands, signal, spread) => {
        batches++;
        return svc.virshBatch(commands, signal, spread);
      },
      tool: (command, args, signal) => svc.tool(command, args, signal),
    };
    const r = await runCloneOperation(recording, new Locks(path.join(bed.root, 'locks')), 'rm', made.map(ref));
    assert.equal(r.done.length, 8, JSON.stringify(r.failed.map((f) => f.error.message)));
    assert.deepEqual(calls, Array(8).fill('undefine'), 'per clone only its undefine: no dumpxml, no domstate');
    assert.equal(batches, 2, 'one write for the states, one for the bookkeeping of all eight');
    for (const f of overlays) assert.equal(fs.existsSync(f), false, f);
  });
});
