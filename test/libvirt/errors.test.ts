/**
 * Errors that must say the right thing, against the real daemon: a start that QEMU cannot do because it may not
 * open an image is a failed start (16) naming the file, never "no permission to use libvirt" (10); a cancel ends
 * its own command only; replies stay on their commands whatever the domains' data holds.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/run';
import { ExitCode, LibvirtError, LibvirtUnavailableError, type Qq2Error } from '../../src/core/errors';
import type { CloneRef } from '../../src/libvirt/api';
import { CancelledError } from '../../src/core/errors';
import { createLibvirtService, Libvirt } from '../../src/libvirt';
import { TestBed, TEST_URI, tinyDomainXml, tryVirsh, virsh } from '../testbed';

describe('libvirt errors that say the right thing', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let svc: Libvirt;

  before(() => {
    bed = new TestBed('err');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
  });
  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  it('a start QEMU cannot do (image under a directory the qemu user cannot enter) fails with 16, names the file, leaves the connection up', async () => {
    const tpl = bed.makeTemplateFile(svc.config.templateDir, 'locked');
    const [clone] = await svc.clone(tpl.name, 1);
    // Made as root; then the directory holding the template's image is closed to everyone else (the qemu user).
    fs.chmodSync(path.dirname(tpl.disk), 0o700);
    const problems: (Qq2Error | undefined)[] = [];
    const sub = svc.onConnectionChange((p) => problems.push(p));
    try {
      const ref: CloneRef = { template: clone!.template, id: clone!.id, uuid: clone!.uuid, name: clone!.name };
      const r = await svc.run('start', [ref]);
      assert.equal(r.failed.length, 1, JSON.stringify(r));
      const e = r.failed[0]!.error;
      assert.ok(e instanceof LibvirtError && !(e instanceof LibvirtUnavailableError), `${e.name}: ${e.message}`);
      assert.equal(e.exitCode, ExitCode.Libvirt);
      assert.ok(e.message.includes(tpl.disk), e.message);
      assert.match(e.message, /qemu user.*must be able to reach/);
      // The connection is fine: the tree must not say "join the libvirt group".
      const inv = await svc.inventory();
      assert.ok(inv.clones.some((c) => c.uuid === clone!.uuid));
      assert.deepEqual(problems, [], 'no connection problem was reported');

      const out = { stdout: '', stderr: '' };
      const code = await runCli(['-t', tpl.name, 'start', '1'], {
        io: {
          stdout: (t) => (out.stdout += t),
          stderr: (t) => (out.stderr += t),
          env: { ...process.env, QQ2CLONE_HOME: bed.root },
          stdinIsTTY: false,
          ask: async () => 'n',
        },
        makeService: (config) => createLibvirtService({ ...config, uri: TEST_URI }),
      });
      assert.equal(code, ExitCode.Libvirt, out.stderr);
      assert.ok(out.stderr.includes(tpl.disk), out.stderr);
      assert.doesNotMatch(out.stderr, /libvirt group|No permission to use libvirt/);
    } finally {
      sub.dispose();
      fs.chmodSync(path.dirname(tpl.disk), 0o755);
    }
  });

  /** A virsh command that runs `seconds` and then succeeds (waits for events that do not matter here). */
  const slow = (seconds: number) => ['event', '--all', '--loop', '--timeout', String(seconds)];
  /** A virsh command that never ends by itself: only a cancel ends it (a test that waits for it fails by its timeout). */
  const endless = ['event', '--all', '--loop'];

  it('cancelling a command that virsh is running ends it alone: a tree read queued behind it on the same session succeeds', async () => {
    const one = new Libvirt({ uri: TEST_URI, home: bed.root }, { sessions: 1 });
    const problems: (Qq2Error | undefined)[] = [];
    const sub = one.onConnectionChange((p) => problems.push(p));
    try {
      await one.probe();
      const ac = new AbortController();
      // The victim is first in the session's queue: it is the command virsh runs, and it would run for ever.
      const victim = one.virsh(endless, ac.signal);
      const read = one.inventory();
      ac.abort();
      await assert.rejects(victim, CancelledError);
      const inv = await read;
      assert.ok(Array.isArray(inv.clones));
      assert.deepEqual(problems, []);
    } finally {
      sub.dispose();
      one.dispose();
    }
  });

  it('cancelling a command queued behind another caller\'s leaves that caller\'s command and the next ones alone', async () => {
    const one = new Libvirt({ uri: TEST_URI, home: bed.root }, { sessions: 1 });
    try {
      await one.probe();
      const ac = new AbortController();
      const bystander = one.virsh(slow(2));
      const victim = one.virsh(slow(20), ac.signal);
      const after = one.virshBatch([['uri'], ['list', '--all', '--name']]);
      // Aborted at once: the bystander's two seconds have not passed, so the victim is still queued behind it.
      ac.abort();
      await assert.rejects(victim, CancelledError);
      assert.match(await bystander, /events received: \d+/, 'the other caller\'s command ran to its end');
      const [uri, list] = await after;
      assert.equal(uri!.status, 'fulfilled', JSON.stringify(uri));
      assert.equal(list!.status, 'fulfilled', JSON.stringify(list));
      assert.equal((uri as PromiseFulfilledResult<string>).value.trim(), TEST_URI);
    } finally {
      one.dispose();
    }
  });

  it('replies stay on their commands when a domain\'s description holds reply-marker-like text, and a name starting with -- is a name', async () => {
    const disk = bed.makeDisk('marker.qcow2');
    const markers = Array.from({ length: 300 }, (_, i) => `__Q2C${i}__ __Q2C''${i}__`).join(' ');
    const name = `${bed.prefix}-marker`;
    const xml = tinyDomainXml({ name, disk }).replace('<memory', `<description>${markers}</description>\n  <memory`);
    const uuid = await svc.defineXml(xml);
    const dashed = `--${bed.prefix}-dashed`;
    let dashedUuid: string | undefined;
    try {
      for (let round = 0; round < 3; round++) {
        const answers = await svc.virshBatch([['dumpxml', uuid], ['domuuid', name], ['uri'], ['dumpxml', '--inactive', uuid], ['domname', uuid]]);
        const [x1, id, uri, x2, nm] = answers.map((a) => (a.status === 'fulfilled' ? a.value : `REJECTED ${String((a as PromiseRejectedResult).reason)}`));
        for (const x of [x1!, x2!]) {
          assert.match(x, /^<domain[\s\S]*<\/domain>\s*$/, 'the whole document, nothing else');
          for (let i = 0; i < 300; i += 7) assert.ok(x.includes(`__Q2C${i}__ __Q2C`), `the description whole (${i})`);
        }
        assert.equal(id!.trim(), uuid);
        assert.equal(uri!.trim(), TEST_URI);
        assert.equal(nm!.trim(), name);
      }
      // A name that virsh would read as an option where it is an argument.
      dashedUuid = await svc.defineXml(tinyDomainXml({ name: dashed, disk, mac: '52:54:00:aa:bb:02' }));
      assert.equal(virsh('domname', dashedUuid).trim(), dashed);
    } finally {
      if (dashedUuid) tryVirsh('undefine', dashedUuid);
      else tryVirsh('undefine', '--domain', dashed);
    }
  });
});
