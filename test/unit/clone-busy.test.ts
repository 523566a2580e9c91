import * as assert from 'node:assert/strict';
import { BusyRegistry } from '../../src/extension/tree/busy';

describe('busy clones', () => {
  it('gives a clone to one operation at a time and names the one holding it', () => {
    const r = new BusyRegistry();
    const changes: string[][] = [];
    r.onChange((u) => changes.push([...u]));
    assert.deepEqual(r.acquire(['a', 'b'], 'starting'), { acquired: ['a', 'b'], busy: [] });
    assert.deepEqual(r.acquire(['b', 'c'], 'deleting'), { acquired: ['c'], busy: [{ key: 'b', label: 'starting' }] });
    assert.equal(r.label('b'), 'starting');
    r.release(['a', 'b']);
    assert.equal(r.label('b'), undefined);
    assert.deepEqual(r.acquire(['b'], 'deleting').acquired, ['b']);
    assert.deepEqual(changes, [['a', 'b'], ['c'], ['a', 'b'], ['b']]);
  });
});
