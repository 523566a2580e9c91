/**
 * The appliance pool keeps one appliance per disk set: at most `max` at once (the least recently used idle one is
 * closed to make room) and each is closed once idle for the set time. Real appliances on a bare ext4 disk.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppliancePool } from '../../src/libvirt/disks/pool';
import type { GuestfsHelper } from '../../src/libvirt/disks/client';
import { TestBed } from '../testbed';

describe('disk appliances: eviction and idle close (real libguestfs)', function () {
  this.timeout(600_000);
  let bed: TestBed;
  const disks: string[] = [];
  let pool: AppliancePool | undefined;

  before(() => {
    bed = new TestBed('gfspool');
    const tree = path.join(bed.root, 'tree');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'hello'), 'hi\n');
    for (const n of ['a', 'b']) {
      const raw = path.join(bed.root, `${n}.raw`);
      execFileSync('truncate', ['-s', '32M', raw]);
      execFileSync('mkfs.ext4', ['-q', '-d', tree, raw]);
      const q = path.join(bed.root, `${n}.qcow2`);
      execFileSync('qemu-img', ['convert', '-O', 'qcow2', raw, q]);
      fs.rmSync(raw);
      disks.push(q);
    }
  });
  after(async () => {
    await pool?.dispose();
    bed.cleanup();
  });

  const spec = (i: number) => ({ key: `k${i}`, what: `disk ${i}`, drives: [{ path: disks[i]!, side: 'm' as const, format: 'qcow2' }], readonly: true });

  it('a second disk set closes the idle first one when only one may be open; an idle one closes after its time', async () => {
    pool = new AppliancePool({ max: () => 1, idleMs: () => 2000 });
    let first: GuestfsHelper | undefined;
    let second: GuestfsHelper | undefined;
    assert.equal(await pool.use(spec(0), async (h) => ((first = h), h.alive)), true);
    assert.deepEqual(pool.open, ['k0']);
    assert.equal(await pool.use(spec(1), async (h) => ((second = h), h.alive)), true);
    assert.deepEqual(pool.open, ['k1'], 'the first was closed to make room');
    assert.equal(first!.alive, false);
    await new Promise((r) => setTimeout(r, 4000));
    assert.deepEqual(pool.open, [], 'closed once idle for 2 s');
    for (let i = 0; i < 50 && second!.alive; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(second!.alive, false);
  });
});
