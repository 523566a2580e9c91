import * as assert from 'node:assert/strict';
import { remoteConnectMessage, unseenViewerReason } from '../../src/extension/ui/remoteWindow';

describe('Connect in a browser or remote window', () => {
  it('knows when a viewer started by the extension would not be seen', () => {
    assert.equal(unseenViewerReason(undefined, false), undefined);
    assert.equal(unseenViewerReason(undefined, true), 'this window runs in a browser');
    assert.equal(unseenViewerReason('ssh-remote', false), 'this window is remote (ssh-remote)');
    assert.equal(unseenViewerReason('ssh-remote', true), 'this window runs in a browser');
  });

  it('says so, names what works instead, and how to start the viewer anyway', () => {
    const m = remoteConnectMessage('this window runs in a browser', 1, ['web-1']);
    assert.match(m, /^Connect: started 1; no viewer opened for web-1: this window runs in a browser, so a SPICE viewer/);
    assert.match(m, /Show Screen or the serial console/);
    assert.match(m, /qq2clone\.viewerInRemoteWindow/);
    assert.match(remoteConnectMessage('x', 0, ['a', 'b', 'c']), /no viewer opened for 3 clones/);
  });
});
