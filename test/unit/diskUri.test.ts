/** The disk URIs of the explorer: qq2clone-disk:/<template>/<number|template>/<guest path>[?base]. */
import * as assert from 'node:assert/strict';
import { diskPath, parseDiskPath } from '../../src/extension/disks/uri';

describe('disk URIs', () => {
  it('read the template, the clone number or the template image, and the guest path', () => {
    assert.deepEqual(parseDiskPath('/T/3/etc/hostname'), { target: { template: 'T', clone: 3 }, path: '/etc/hostname', base: false });
    assert.deepEqual(parseDiskPath('/T/3'), { target: { template: 'T', clone: 3 }, path: '/', base: false });
    assert.deepEqual(parseDiskPath('/T/3/'), { target: { template: 'T', clone: 3 }, path: '/', base: false });
    assert.deepEqual(parseDiskPath('/T/template/var/log/', 'base'), { target: { template: 'T', clone: 'template' }, path: '/var/log', base: true });
    assert.equal(parseDiskPath('/T/3/etc', 'x&base')!.base, true);
  });

  it('refuse paths that name no disk', () => {
    assert.equal(parseDiskPath('/'), undefined);
    assert.equal(parseDiskPath('/T'), undefined);
    assert.equal(parseDiskPath('/T/x1/etc'), undefined);
  });

  it('round-trip through diskPath', () => {
    for (const [t, p] of [[{ template: 'T', clone: 3 as const }, '/etc/x'], [{ template: 'a-b', clone: 'template' as const }, '/']] as const) {
      const l = parseDiskPath(diskPath(t, p))!;
      assert.deepEqual([l.target, l.path], [t, p]);
    }
  });
});
