// A virsh session answers exactly for command lines of any length: virsh's line editor echoes each line it reads,
// and the session must find that echo to cut it from the reply (real virsh, real daemon).
import * as assert from 'node:assert/strict';
import { VirshSession } from '../../src/libvirt/virsh/session';
import { TEST_URI } from '../testbed';

/** A reply without its line end (virsh's echo ends its output without one in a session). */
const text = (reply: string): string => reply.replace(/\n$/, '');

describe('virsh session: long command lines', function () {
  this.timeout(60_000);
  let s: VirshSession;
  beforeEach(() => (s = new VirshSession(TEST_URI)));
  afterEach(() => s.close());

  it('answers exactly for lines around the 80-column width and far beyond it, and keeps its framing', async () => {
    // 79 and 80: "echo -- " plus the word crosses the terminal width that used to wrap the echo.
    for (const n of [60, 79, 80, 81, 200, 4096, 70_000]) {
      const word = `w${'x'.repeat(n - 1)}`;
      assert.equal(text(await s.run(['echo', '--', word])), word, `a word of ${n} characters`);
      assert.equal((await s.run(['uri'])).trim(), TEST_URI, `the next command's reply after a line of ${n + 8}`);
    }
    assert.deepEqual(s.unsolicited, [], 'no echo was taken for output of its own');
  });

  it('passes a guest agent command as one argument, quotes and all', async () => {
    const json = JSON.stringify({
      execute: 'guest-exec',
      arguments: { path: '/bin/sh', arg: ['-c', `printf '%s' "a b" && echo ${'y'.repeat(300)}`], 'capture-output': true },
    });
    const [a, b] = await Promise.all([s.run(['echo', '--', json]), s.run(['echo', '--', 'after'])]);
    assert.equal(text(a), json);
    assert.equal(text(b), 'after', 'a pipelined command behind it gets its own reply');
  });
});
