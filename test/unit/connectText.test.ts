/** The extension's words for each reason the service gives for a clone that got no viewer. */
import * as assert from 'node:assert/strict';
import { LibvirtError, SpiceTimeoutError } from '../../src/core/errors';
import type { CloneInfo } from '../../src/libvirt/api';
import { waitForSpice, type ConnectResult } from '../../src/libvirt/display';
import { inWords, notConnectedText } from '../../src/extension/ui/connectText';

const clone: CloneInfo = { template: 't', id: 1, name: 't-1', uuid: 'u1', state: 'running', reason: 'booted', saved: false, storage: '/s' };

describe("connect's reasons in the extension's words", () => {
  it('names what to do for a missing viewer and a SPICE timeout with the extension settings, and says every other reason', async () => {
    // The timeout as the service raises it: domdisplay answered with an error until the time was up (the fixture is
    // real virsh stderr for a display that has no address).
    const error = await waitForSpice(() => Promise.reject(new LibvirtError("error: No graphical display with type 'spice' found")), 'u1', 0).then(
      () => assert.fail('no timeout'),
      (e: unknown) => e as SpiceTimeoutError,
    );
    assert.ok(error instanceof SpiceTimeoutError);
    assert.equal(
      notConnectedText({ kind: 'spice-timeout', seconds: 0, error }),
      "The SPICE display of u1 was not available within 0 s (error: No graphical display with type 'spice' found). Check that the machine is running. Raise qq2clone.spiceTimeout to wait longer.",
    );
    assert.equal(notConnectedText({ kind: 'no-viewer' }), 'neither virt-viewer nor spicy is installed: install virt-viewer, or turn off qq2clone.useSpice');
    assert.equal(notConnectedText({ kind: 'not-spice', types: ['vnc', 'sdl'] }), 'its graphics are vnc, sdl, not SPICE (Show Screen works)');
    assert.equal(notConnectedText({ kind: 'no-graphics' }), 'it has no graphics device');
    assert.equal(notConnectedText({ kind: 'cancelled' }), 'cancelled');
    assert.equal(notConnectedText({ kind: 'start-failed', error: new LibvirtError('error: Failed to start domain') }), 'could not start: error: Failed to start domain');
    assert.equal(notConnectedText({ kind: 'failed', error: new LibvirtError('viewer exited 1') }), 'viewer exited 1');
  });

  it('keeps the reason and its error next to the words', () => {
    const error = new SpiceTimeoutError('late.');
    const r: ConnectResult = { started: undefined, connected: [], notConnected: [{ clone, why: { kind: 'spice-timeout', seconds: 3, error } }], spice: true, viewer: 'virt-viewer' };
    const [n] = inWords(r).notConnected;
    assert.equal(n?.reason, 'late. Raise qq2clone.spiceTimeout to wait longer.');
    assert.equal(n?.error, error);
    assert.equal(n?.why.kind, 'spice-timeout');
  });
});
