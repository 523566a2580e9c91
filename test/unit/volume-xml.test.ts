/** Reading virsh's answers about storage volumes, on output captured from the test bed's second host. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseVolList, parseVolumeXml, poolAvailable, volumeMissing } from '../../src/libvirt/storage/volumeXml';

const fx = (f: string) => fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8');

describe('storage volumes as virsh describes them (pure)', () => {
  it('vol-dumpxml of an overlay: path, format, sizes, mode, times and its backing volume with its format', () => {
    const v = parseVolumeXml(fx('vol-dumpxml-overlay.xml'));
    assert.equal(v.type, 'file');
    assert.equal(v.path, '/home/qq2remote/pool/exp-ov.qcow2');
    assert.equal(v.format, 'qcow2');
    assert.equal(v.capacity, 268435456);
    assert.equal(v.allocation, 200704);
    assert.equal(v.mode, 0o600);
    assert.equal(Math.round(v.mtimeMs), 1796673655553);
    assert.equal(Math.round(v.createdMs), 1796673655557, 'no birth time: the inode change time');
    assert.deepEqual(v.backing, { path: '/home/qq2remote/pool/exp-base.qcow2', format: 'qcow2' });
  });
  it('vol-list --details: each volume with its path and type', () => {
    assert.deepEqual(parseVolList(fx('vol-list-details.txt')), [
      { name: 'exp-base.qcow2', path: '/home/qq2remote/pool/exp-base.qcow2', type: 'file' },
      { name: 'exp-ov.qcow2', path: '/home/qq2remote/pool/exp-ov.qcow2', type: 'file' },
    ]);
    assert.deepEqual(parseVolList(''), []);
  });
  it('pool-info --bytes: the available bytes', () => {
    assert.equal(poolAvailable(fx('pool-info-bytes.txt')), 242864037888);
    assert.throws(() => poolAvailable('Name: x'), /no available space/);
  });
  it('a missing volume is told from other failures', () => {
    assert.equal(volumeMissing("Storage volume not found: no storage vol with matching path '/x'"), true);
    assert.equal(volumeMissing('Permission denied'), false);
  });
});
