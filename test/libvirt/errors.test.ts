/**
 * Errors that must say the right thing, against the real daemon: a start that QEMU cannot do because it may not
 * open an image is a failed start (16) naming the file, never "no permission to use libvirt" (10).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/run';
import { ExitCode, LibvirtError, LibvirtUnavailableError, type Qq2Error } from '../../src/core/errors';
import type { CloneRef } from '../../src/libvirt/api';
import { createLibvirtService, type Libvirt } from '../../src/libvirt/index';
import { TestBed, TEST_URI } from '../testbed';

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
});
