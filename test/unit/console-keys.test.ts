/** The console page's text-to-keys table (Type Clipboard, and the benchmark's BackSpace). */
import * as assert from 'node:assert/strict';
import { keyFor, XK } from '../../src/extension/panel/webview/consoleKeys';

describe('console keys', () => {
  it('types letters, shifted signs, Return and BackSpace as keys of a US keyboard', () => {
    assert.deepEqual(keyFor('a'), { keysym: 0x61, code: 'KeyA', shift: false });
    assert.deepEqual(keyFor('$'), { keysym: 0x24, code: 'Digit4', shift: true });
    assert.deepEqual(keyFor('\n'), { keysym: XK.Return, code: 'Enter', shift: false });
    assert.deepEqual(keyFor('\b'), { keysym: XK.BackSpace, code: 'Backspace', shift: false });
  });

  it('has no key for a character a US keyboard lacks', () => {
    assert.equal(keyFor('é'), undefined);
  });
});
