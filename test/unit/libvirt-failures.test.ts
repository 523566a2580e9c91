/** The one failure mapping, on stderr captured from this machine's virsh. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ExitCode,
  ExternalCommandError,
  hintOf,
  ImageAccessError,
  LibvirtError,
  LibvirtUnavailableError,
  MissingDependencyError,
  UsageError,
} from '../../src/core/errors';
import { FAILURE_HINTS, classifyLibvirtStderr, libvirtMessage, mapFailure } from '../../src/libvirt/process/failures';
import { quoteVirshArg, virshLine } from '../../src/libvirt/virsh/quote';

const fx = (f: string) => fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8');
const virsh = (stderr: string, code?: string) =>
  mapFailure({ program: 'virsh', args: ['list'], exitCode: 1, stderr, uri: 'qemu:///system', ...(code ? { code } : {}) });

describe('failure mapping', () => {
  it('virsh missing -> not-installed with an install hint (exit 11)', () => {
    const e = virsh('', 'ENOENT');
    assert.ok(e instanceof LibvirtUnavailableError);
    assert.equal(e.reason, 'not-installed');
    assert.match(e.hint, /Install libvirt-clients/);
    assert.equal(e.exitCode, ExitCode.MissingDependency);
  });

  it('daemon down -> daemon-down with a start hint, keeping stderr and exit code', () => {
    const e = virsh(fx('err-daemon-down.txt'));
    assert.ok(e instanceof LibvirtUnavailableError);
    assert.equal(e.reason, 'daemon-down');
    assert.match(e.hint, /Start the libvirt daemon/);
    assert.equal(e.failure.exitCode, 1);
    assert.match(e.failure.stderr!, /Failed to connect socket/);
    assert.equal(e.exitCode, ExitCode.Libvirt);
  });

  it('no permission -> permission-denied with the libvirt group hint (exit 10)', () => {
    const e = virsh(fx('err-permission.txt'));
    assert.ok(e instanceof LibvirtUnavailableError);
    assert.equal(e.reason, 'permission-denied');
    assert.match(e.hint, /libvirt group/);
    assert.equal(e.exitCode, ExitCode.NoPermission);
    assert.equal(virsh('error: Failed to connect socket to \'/run/libvirt/libvirt-sock\': Permission denied').exitCode, 10);
    const socket = virsh(fx('err-connect-denied.txt'));
    assert.ok(socket instanceof LibvirtUnavailableError && socket.reason === 'permission-denied');
    assert.equal(socket.exitCode, ExitCode.NoPermission);
  });

  it('a file QEMU may not open while starting is a failed start (16) naming the file, not a refused connection', () => {
    for (const [f, file] of [
      ['err-start-denied.txt', '/var/tmp/qqt-errcap-hJOu/x.qcow2'],
      ['err-start-backing-denied.txt', '/var/tmp/qqt-errcap-hJOu/x.qcow2'],
    ] as const) {
      const e = mapFailure({ program: 'virsh', args: ['start', 'x'], exitCode: 1, stderr: fx(f), uri: 'qemu:///system' });
      assert.ok(e instanceof ImageAccessError, `${f}: ${e.name}`);
      assert.ok(!(e instanceof LibvirtUnavailableError));
      assert.equal(e.exitCode, ExitCode.Libvirt);
      assert.equal(e.file, file);
      assert.match(e.message, /^Failed to start domain 'qqt-errcap-1': Cannot access/);
      assert.match(e.message, /The qemu user \(uid 64055\) must be able to reach \/var\/tmp\/qqt-errcap-hJOu\/x\.qcow2: .*search \(x\) permission on every directory/);
      assert.equal(hintOf(e), e.hint);
      assert.equal(classifyLibvirtStderr(fx(f)), undefined, 'the connection is fine');
    }
  });

  it('refused requests -> LibvirtError (16) with libvirt\'s message, continuation lines included', () => {
    const e = virsh(fx('err-no-pool.txt'));
    assert.ok(e instanceof LibvirtError && !(e instanceof LibvirtUnavailableError));
    assert.equal(e.message, "failed to get pool 'nonexist': Storage pool not found: no storage pool with matching name 'nonexist'");
    assert.match(libvirtMessage(fx('err-start-lock.txt')), /Failed to get "write" lock: Is another process using the image/);
    assert.ok(virsh(fx('err-no-domain.txt')) instanceof LibvirtError);
  });

  it('other tools -> ExternalCommandError (14) or MissingDependencyError (11)', () => {
    const e = mapFailure({ program: 'qemu-img', args: ['create'], exitCode: 1, stderr: 'qemu-img: x: Could not open' });
    assert.ok(e instanceof ExternalCommandError);
    assert.equal(e.exitCode, 14);
    const m = mapFailure({ program: 'shred', args: [], code: 'ENOENT' });
    assert.ok(m instanceof MissingDependencyError);
    assert.equal(m.exitCode, 11);
  });
});

describe('virsh session argument quoting', () => {
  it('quotes with single quotes, escaping quotes, leaves plain words', () => {
    assert.equal(quoteVirshArg('dumpxml'), 'dumpxml');
    assert.equal(quoteVirshArg('--inactive'), '--inactive');
    assert.equal(quoteVirshArg("it's #1"), `'it'\\''s #1'`);
    assert.equal(quoteVirshArg(''), "''");
    assert.equal(virshLine(['define', '/tmp/a b.xml']), "define '/tmp/a b.xml'");
  });

  it('refuses TAB and line breaks', () => {
    assert.throws(() => quoteVirshArg('a\tb'), UsageError);
    assert.throws(() => quoteVirshArg('a\nb'), UsageError);
    assert.throws(() => virshLine([]), UsageError);
  });
});

describe('failure mapping: ssh connections (stderr captured from virsh over qemu+ssh)', () => {
  const ssh = (f: string) =>
    mapFailure({ program: 'virsh', args: ['version'], exitCode: 1, stderr: fx(f), uri: 'qemu+ssh://qq2remote@127.0.0.1/session' });
  it('an unknown host key says that nothing accepts it on its own, and how to check and accept it', () => {
    const e = ssh('err-ssh-host-key-unknown.txt');
    assert.ok(e instanceof LibvirtUnavailableError);
    assert.equal(e.reason, 'other');
    assert.match(e.hint, /never accepts one on its own: check the key's fingerprint .* `ssh qq2remote@127\.0\.0\.1` once/);
    assert.match(e.message, /Host key verification failed/);
  });
  it('a refused key says to set up key authentication and the agent (exit code: no permission)', () => {
    const e = ssh('err-ssh-permission-denied.txt');
    assert.ok(e instanceof LibvirtUnavailableError);
    assert.equal(e.reason, 'permission-denied');
    assert.equal(e.exitCode, ExitCode.NoPermission);
    assert.match(e.hint, /ssh-copy-id qq2remote@127\.0\.0\.1.*ssh-add/);
  });
  it('an unreachable SSH server names the host and port to check', () => {
    const e = mapFailure({ program: 'virsh', args: ['version'], exitCode: 1, stderr: fx('err-ssh-connection-refused.txt'), uri: 'qemu+ssh://qq2remote@127.0.0.1:2/session' });
    assert.ok(e instanceof LibvirtUnavailableError);
    assert.equal(e.reason, 'daemon-down');
    assert.match(e.hint, /ssh cannot reach qq2remote@127\.0\.0\.1 -p 2/);
  });
  it("libssh's refusals say the same: an unknown host key, an SSH server that does not answer", () => {
    const uri = 'qemu+libssh://qq2remote@127.0.0.1:2023/session?sshauth=privkey&keyfile=/k&known_hosts=/kh';
    const key = mapFailure({ program: 'virsh', args: ['version'], exitCode: 1, stderr: fx('err-libssh-host-key-unknown.txt'), uri });
    assert.ok(key instanceof LibvirtUnavailableError);
    assert.equal(key.reason, 'other');
    assert.match(key.hint, /never accepts one on its own/);
    const down = mapFailure({ program: 'virsh', args: ['version'], exitCode: 1, stderr: fx('err-libssh-connection-refused.txt'), uri });
    assert.ok(down instanceof LibvirtUnavailableError);
    assert.equal(down.reason, 'daemon-down');
    assert.match(down.hint, /ssh cannot reach qq2remote@127\.0\.0\.1 -p 2023/);
  });
  it('a lost connection to another host says to check that host, not to start a daemon here', () => {
    const hint = FAILURE_HINTS.daemonDown('qemu+ssh://lab@far.example/system');
    assert.doesNotMatch(hint, /systemctl start libvirtd/);
    assert.match(hint, /lab@far\.example/);
    assert.match(hint, /SSH server and its libvirt daemon/);
    assert.match(FAILURE_HINTS.daemonDown('qemu:///system'), /sudo systemctl start libvirtd/);
  });
  it('the same text on a local connection is not read as an ssh failure', () => {
    const e = virsh(fx('err-ssh-permission-denied.txt'));
    assert.ok(!(e instanceof LibvirtUnavailableError) || !/ssh-copy-id/.test(e.hint));
  });
});
