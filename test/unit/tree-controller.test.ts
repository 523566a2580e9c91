import * as assert from 'node:assert/strict';
import { LibvirtError } from '../../src/core/errors';
import type { Inventory, LibvirtService } from '../../src/libvirt/api';
import { TreeController, type Unavailable } from '../../src/extension/tree/controller';

/** A service whose inventory read is answered by the test (only what the controller uses). */
function service(): { svc: LibvirtService; answer: (r: Inventory | Error) => void } {
  let answer: (r: Inventory | Error) => void = () => undefined;
  const svc = {
    inventory: () =>
      new Promise<Inventory>((resolve, reject) => {
        answer = (r) => (r instanceof Error ? reject(r) : resolve(r));
      }),
    probe: () => Promise.resolve(),
    onEvent: () => ({ dispose: () => undefined }),
    onConnectionChange: () => ({ dispose: () => undefined }),
  } as unknown as LibvirtService;
  return { svc, answer: (r) => answer(r) };
}

const inventory = (template: string): Inventory => ({ templates: [{ name: template, xmlPath: `/t/${template}.xml`, disks: [] }], clones: [], foreign: [] });

describe('tree controller', () => {
  it('drops a read of a service replaced meanwhile: its failure (the old one is disposed) is no outage, its result not shown', async () => {
    const a = service();
    const b = service();
    let current = a.svc;
    const seen: (Unavailable | undefined)[] = [];
    let reads = 0;
    const c = new TreeController(() => current, { read: () => reads++, changed: () => undefined, availability: (u) => seen.push(u), log: () => undefined }, { pollMs: 0 });
    const first = c.read();
    current = b.svc;
    a.answer(new LibvirtError('The libvirt service has been disposed.'));
    await first;
    assert.deepEqual([seen, c.unavailable, reads], [[], undefined, 0]);
    const second = c.read();
    b.answer(inventory('b'));
    await second;
    assert.deepEqual(c.model.templates.map((t) => t.template.name), ['b']);
    const stale = c.read();
    current = a.svc;
    b.answer(inventory('stale'));
    await stale;
    assert.deepEqual([c.model.templates.map((t) => t.template.name), reads], [['b'], 1]);
    c.dispose();
  });
});
