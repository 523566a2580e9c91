// The generation scheme at the image level: flattening a staging overlay into a new generation never writes the
// image existing clones are based on; real qcow2 files, checked with qemu-io pattern reads.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestBed, qemuImg } from '../testbed';
import {
  backingChain,
  createOverlay,
  flattenInto,
  generationOf,
  generationPath,
  isOurGeneration,
  makeReadOnly,
  qcow2Backing,
} from '../../src/libvirt/storage/images';

/** qemu-io on an image; a pattern read that does not match fails with "Pattern verification failed". */
function qemuIo(image: string, command: string): string {
  return execFileSync('qemu-io', ['-c', command, image], { encoding: 'utf8' });
}
function reads(image: string, pattern: number, offset: string): boolean {
  try {
    return !/verification failed/i.test(qemuIo(image, `read -P 0x${pattern.toString(16)} ${offset} 64k`));
  } catch (e) {
    const out = String((e as { stdout?: string }).stdout ?? '');
    if (/verification failed/i.test(out)) return false;
    throw e;
  }
}
const sha = (f: string): string => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('image generations (qemu-img, qemu-io)', () => {
  let bed: TestBed;
  beforeEach(() => (bed = new TestBed('gen')));
  afterEach(() => bed.cleanup());

  it('commit into a new generation keeps an existing clone intact and gives new clones the change', async () => {
    const storage = path.join(bed.root, 'pool');
    const base = bed.makeDisk('images/base.qcow2');
    qemuIo(base, 'write -P 0x11 0 64k'); // the template's own data
    await makeReadOnly(base);
    const before = sha(base);

    const clone = path.join(storage, 'clone1.qcow2');
    fs.mkdirSync(storage, { recursive: true });
    await createOverlay(base, clone);
    qemuIo(clone, 'write -P 0xab 64k 64k'); // the clone's own data
    assert.equal(await qcow2Backing(clone), base, 'the backing file read from the qcow2 header');
    assert.equal(await qcow2Backing(base), undefined);

    const staging = path.join(storage, 'staging.qcow2');
    await createOverlay(base, staging);
    qemuIo(staging, 'write -P 0xcd 0 64k'); // the staged change overwrites template data
    qemuIo(staging, 'write -P 0xee 128k 64k');

    const gen2 = generationPath(storage, 'tpl', 2, 'vda');
    await flattenInto(staging, gen2);

    assert.equal(sha(base), before, 'the base image was not written');
    assert.equal(fs.statSync(gen2).mode & 0o222, 0, 'the new generation is read-only on disk');
    assert.equal(fs.statSync(base).mode & 0o222, 0);
    assert.equal((await backingChain(gen2)).length, 1, 'the new generation is standalone');
    assert.ok(isOurGeneration(storage, gen2) && !isOurGeneration(storage, base));
    assert.equal(generationOf(gen2), 2);
    assert.equal(generationOf(base), 1);

    // The existing clone: its own data and the ORIGINAL template data, not the staged change.
    assert.ok(reads(clone, 0xab, '64k'), 'clone keeps its data');
    assert.ok(reads(clone, 0x11, '0'), 'clone still sees the original template data');
    assert.ok(reads(clone, 0, '128k'), 'clone does not see the staged change');
    assert.ok(!reads(clone, 0xcd, '0'), 'the pattern check can fail');

    // A new clone of the new generation sees the staged change and not the old clone's data.
    const clone2 = path.join(storage, 'clone2.qcow2');
    await createOverlay(gen2, clone2);
    assert.ok(reads(clone2, 0xcd, '0'));
    assert.ok(reads(clone2, 0xee, '128k'));
    assert.ok(reads(clone2, 0, '64k'));
    assert.equal(JSON.parse(qemuImg('info', '--output=json', clone2))['backing-filename'], gen2);
  });

  it('a failed flatten leaves no partial file', async () => {
    const target = generationPath(bed.root, 'tpl', 2, 'vda');
    await assert.rejects(flattenInto(path.join(bed.root, 'missing.qcow2'), target));
    assert.deepEqual(fs.readdirSync(path.dirname(target)), []);
  });
});
