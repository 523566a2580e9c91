import * as assert from 'node:assert/strict';
import { MissingDependencyError } from '../../src/core/errors';
import { isLoopback, remoteHost, viewerCommandFor } from '../../src/libvirt/display/display';

const UUID = '6c1f0a52-2f4e-4c55-9a4e-1d2b3c4d5e6f';
const REMOTE = 'qemu+ssh://admin@vmhost.example/system';

describe('which viewer a SPICE display gets', () => {
  it('tells remote connection URIs from local ones', () => {
    assert.equal(remoteHost('qemu:///system'), undefined);
    assert.equal(remoteHost('qemu+unix:///session'), undefined);
    assert.equal(remoteHost('qemu+ssh://localhost/system'), undefined);
    assert.equal(remoteHost('qemu+tcp://127.0.0.1:16509/system'), undefined);
    assert.equal(remoteHost(REMOTE), 'vmhost.example');
    assert.equal(remoteHost('qemu+tls://[2001:db8::5]:16514/system'), '2001:db8::5');
    assert.equal(remoteHost('qemu://vmhost/system?no_verify=1'), 'vmhost');
    assert.ok(isLoopback('127.0.0.1') && isLoopback('127.1.2.3') && isLoopback('::1') && isLoopback('[::1]') && isLoopback('LOCALHOST'));
    assert.ok(!isLoopback('0.0.0.0') && !isLoopback('192.168.1.10') && !isLoopback('vmhost'));
  });

  it('local connection: spicy gets the address virsh domdisplay prints, loopback included', () => {
    assert.deepEqual(viewerCommandFor('spicy', ['virt-viewer', 'spicy'], 'qemu:///system', UUID, 'spice://127.0.0.1:5901'), {
      command: 'spicy',
      args: ['--host', '127.0.0.1', '--port', '5901'],
    });
  });

  it('remote connection, display on the remote loopback: virt-viewer instead of spicy when installed', () => {
    assert.deepEqual(viewerCommandFor('spicy', ['virt-viewer', 'spicy'], REMOTE, UUID, 'spice://127.0.0.1:5901'), {
      command: 'virt-viewer',
      args: ['--connect', REMOTE, '--uuid', UUID],
    });
    assert.deepEqual(viewerCommandFor('spicy', ['virt-viewer', 'spicy'], REMOTE, UUID, 'spice://localhost:5901?tls-port=5902').command, 'virt-viewer');
  });

  it('remote connection, display on the remote loopback, no virt-viewer: says what to do', () => {
    assert.throws(
      () => viewerCommandFor('spicy', ['spicy'], REMOTE, UUID, 'spice://127.0.0.1:5901'),
      (e: unknown) =>
        e instanceof MissingDependencyError &&
        e.exitCode === 11 &&
        /listens only on 127\.0\.0\.1 of vmhost\.example/.test(e.message) &&
        /Install virt-viewer/.test(e.message) &&
        /ssh -L 5901:127\.0\.0\.1:5901 vmhost\.example/.test(e.message),
    );
  });

  it('remote connection, display reachable: spicy as asked, a wildcard address becoming the remote host', () => {
    assert.deepEqual(viewerCommandFor('spicy', ['virt-viewer', 'spicy'], REMOTE, UUID, 'spice://192.168.1.10:5900'), {
      command: 'spicy',
      args: ['--host', '192.168.1.10', '--port', '5900'],
    });
    assert.deepEqual(viewerCommandFor('spicy', ['spicy'], REMOTE, UUID, 'spice://0.0.0.0:5900?tls-port=5901'), {
      command: 'spicy',
      args: ['--host', 'vmhost.example', '--port', '5900', '--secure-port', '5901'],
    });
  });

  it('virt-viewer always gets the connection URI and the UUID', () => {
    assert.deepEqual(viewerCommandFor('virt-viewer', ['virt-viewer'], REMOTE, UUID, 'spice://127.0.0.1:5901'), {
      command: 'virt-viewer',
      args: ['--connect', REMOTE, '--uuid', UUID],
    });
  });
});
