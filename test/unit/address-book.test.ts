/**
 * The tree's background address reads: bounded, cached, one read per clone however often the view asks, a read
 * that began before an event is dropped, and only lifecycle and agent events touch addresses.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AddressBook, type AddressReader } from '../../src/libvirt/guests/addressBook';
import { touchesAddresses } from '../../src/extension/tree/addresses';
import { parseEventLine } from '../../src/libvirt/virsh/parse';

function gatedReader(): { reader: AddressReader; running: () => number; max: () => number; calls: string[]; release: (uuid: string, ip: string) => void } {
  const waiting = new Map<string, ((ip: string) => void)[]>();
  let running = 0;
  let max = 0;
  const calls: string[] = [];
  const reader: AddressReader = (uuid) => {
    calls.push(uuid);
    running++;
    max = Math.max(max, running);
    return new Promise((resolve) => {
      waiting.set(uuid, [
        ...(waiting.get(uuid) ?? []),
        (ip) => {
          running--;
          resolve({ source: 'agent', addresses: [{ iface: 'eth0', mac: 'm', protocol: 'ipv4', address: ip }], tried: [] });
        },
      ]);
    });
  };
  return { reader, running: () => running, max: () => max, calls, release: (u, ip) => waiting.get(u)!.shift()!(ip) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('address book (background reads for the tree)', () => {
  it('reads at most `concurrency` clones at once, each once however often asked, and says which changed', async () => {
    const g = gatedReader();
    const book = new AddressBook(g.reader, 2);
    const changed: string[] = [];
    book.onChange((u) => changed.push(u));
    for (let i = 0; i < 3; i++) for (const u of ['a', 'b', 'c', 'd']) assert.equal(book.get(u), undefined);
    await tick();
    assert.equal(g.running(), 2);
    assert.deepEqual(g.calls, ['a', 'b']);
    for (const [u, ip] of [['a', '1.1.1.1'], ['b', '2.2.2.2']] as const) g.release(u, ip);
    await tick();
    await tick();
    assert.deepEqual(g.calls, ['a', 'b', 'c', 'd']);
    g.release('c', '3.3.3.3');
    g.release('d', '4.4.4.4');
    await book.idle();
    assert.equal(g.max(), 2);
    assert.deepEqual(changed.sort(), ['a', 'b', 'c', 'd']);
    assert.equal(book.get('a')!.addresses[0]!.address, '1.1.1.1');
    assert.equal(g.calls.length, 4, 'cached: no new read');
    book.dispose();
  });

  it('an event during a read drops that read; the re-read wins', async () => {
    const g = gatedReader();
    const book = new AddressBook(g.reader, 2);
    book.request('a');
    await tick();
    book.invalidate('a', true);
    await tick();
    assert.deepEqual(g.calls, ['a', 'a']);
    g.release('a', '1.1.1.1');
    await tick();
    assert.equal(book.peek('a'), undefined, 'the read that began before the event is dropped');
    g.release('a', '9.9.9.9');
    await book.idle();
    assert.equal(book.peek('a')?.addresses[0]?.address, '9.9.9.9');
    book.dispose();
  });

  it('lifecycle and agent-lifecycle events touch addresses; others do not', () => {
    const ev = (line: string) => {
      const e = parseEventLine(line)!;
      return touchesAddresses({ domain: e.domain, event: e.event, detail: e.detail });
    };
    assert.equal(ev("event 'lifecycle' for domain 'd': Started Booted"), true);
    assert.equal(ev("event 'lifecycle' for domain 'd': Stopped Shutdown"), true);
    // Captured from `virsh event --all --loop` while clones of the test guest booted.
    const captured = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'virsh', 'events-agent-lifecycle.txt'), 'utf8').split('\n').filter(Boolean);
    const connected = captured.filter((l) => l.includes("state: 'connected'"));
    assert.ok(connected.length >= 1);
    for (const l of captured.filter((x) => /agent-lifecycle|Started|Stopped/.test(x))) assert.equal(ev(l), true, l);
    assert.equal(ev("event 'lifecycle' for domain 'd': Defined Updated"), false);
    assert.equal(ev("event 'metadata-change' for domain 'd': type: element"), false);
  });
});
