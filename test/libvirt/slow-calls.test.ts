/**
 * A libvirt call that takes seconds is reported with its duration (issue: the connection is slow and nobody says
 * why). Real slow calls: `virsh event --loop --timeout 4` waits 4 s on the daemon.
 */
import * as assert from 'node:assert/strict';
import { Libvirt } from '../../src/libvirt';
import { onSlowCall, virshOn, type SlowCall } from '../../src/libvirt/process';
import { TestBed, TEST_URI } from '../testbed';

describe('slow libvirt calls are reported (real daemon)', () => {
  let bed: TestBed;
  before(() => {
    bed = new TestBed('slow');
  });
  after(() => bed.cleanup());

  const slow = ['event', '--all', '--loop', '--timeout', '4'];

  it('a session command is timed from when virsh began it: the one queued behind a slow call is not called slow', async () => {
    const one = new Libvirt({ uri: TEST_URI, home: bed.root }, { sessions: 1 });
    const seen: SlowCall[] = [];
    const stop = onSlowCall((c) => seen.push(c));
    try {
      await one.probe();
      const first = one.virsh(slow);
      const behind = one.virsh(['list', '--all', '--name']);
      await Promise.all([first, behind]);
    } finally {
      stop();
      one.dispose();
    }
    const mine = seen.filter((c) => c.args[0] === 'event' || c.args[0] === 'list');
    assert.equal(mine.length, 1, JSON.stringify(mine));
    assert.deepEqual(mine[0]!.args.slice(0, 4), ['event', '--all', '--loop', '--timeout']);
    assert.ok(mine[0]!.ms >= 3500 && mine[0]!.ms < 30_000, `${mine[0]!.ms} ms`);
  });

  it('a one-shot virsh is reported too, and a listener with its own threshold hears quick calls', async () => {
    const seen: SlowCall[] = [];
    const all: SlowCall[] = [];
    const stop = onSlowCall((c) => seen.push(c));
    const stopAll = onSlowCall((c) => all.push(c), 0);
    try {
      // It ends with exit 1 ("event loop timed out"): a failed call is timed as well.
      await assert.rejects(virshOn(TEST_URI, slow));
      await virshOn(TEST_URI, ['uri']);
    } finally {
      stop();
      stopAll();
    }
    assert.deepEqual(seen.map((c) => c.args[0]), ['event']);
    assert.deepEqual(all.map((c) => c.args[0]), ['event', 'uri']);
  });
});
