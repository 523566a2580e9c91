// Which connection URIs may act on this machine's files, and which are a session daemon.
import { strict as assert } from 'node:assert';
import { isSessionUri, notLocalFiles, transportUri } from '../../src/core/connectionUri';

describe('connection URIs (pure)', () => {
  it('a URI with a host or a network transport is another machine; unix sockets and no host are local', () => {
    for (const uri of ['qemu:///system', 'qemu:///session', 'qemu+unix:///system?socket=/run/x', ' qemu:///system ']) {
      assert.equal(notLocalFiles(uri), undefined, uri);
    }
    for (const uri of ['qemu+ssh://root@host/system', 'qemu+tls://host.example/system', 'qemu://host/system', 'qemu+tcp://10.0.0.1:16509/system', 'qemu+ssh:///system', 'qemu+ssh://localhost/system']) {
      assert.match(notLocalFiles(uri) ?? '', /is a connection to another machine: qq2clone manages clone images only on this machine/, uri);
    }
  });
  it('session daemons are told by their path', () => {
    assert.equal(isSessionUri('qemu:///session'), true);
    assert.equal(isSessionUri('qemu+unix:///session?socket=/tmp/s'), true);
    assert.equal(isSessionUri('qemu:///system'), false);
    assert.equal(isSessionUri('qemu:///sessions'), false);
  });
  it('SSH URIs get no_tty=1 (ssh never waits for a prompt), once; others stay as they are', () => {
    assert.equal(transportUri('qemu+ssh://u@h/session'), 'qemu+ssh://u@h/session?no_tty=1');
    assert.equal(transportUri('qemu+ssh://u@h/system?keyfile=/k'), 'qemu+ssh://u@h/system?keyfile=/k&no_tty=1');
    assert.equal(transportUri('qemu+libssh2://h/system'), 'qemu+libssh2://h/system?no_tty=1');
    assert.equal(transportUri('qemu+ssh://h/system?no_tty=0'), 'qemu+ssh://h/system?no_tty=0');
    for (const uri of ['qemu:///system', 'qemu+tls://h/system', 'qemu+unix:///session']) assert.equal(transportUri(uri), uri);
  });
});
