/** Parsers of virsh output, on output captured from this machine's virsh (test/fixtures/virsh/). */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDomstatsState, parseEventLine, parseLines, parsePoolXml, parseUuidNameList } from '../../src/libvirt/virsh/parse';
import { readMetaSnippet, parseDomain } from '../../src/libvirt/domain/domainModel';
import { mapState } from '../../src/libvirt/virsh/states';

const fx = (f: string) => fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8');

describe('virsh output parsers', () => {
  it('list --all --uuid --name', () => {
    assert.deepEqual(parseUuidNameList(fx('list-uuid-name.txt')), [
      { uuid: '2177b01a-649c-4749-82a6-6db416a72217', name: 'qqprobe-a' },
      { uuid: '04651d84-7774-40e0-8627-200e8983b843', name: 'qqprobe-c' },
      { uuid: 'bc24deb6-a622-4623-9dd7-bbd832b68d11', name: 'qqprobe-b' },
    ]);
  });

  it('list --with-managed-save --uuid', () => {
    assert.deepEqual(parseLines(fx('list-with-managed-save-uuid.txt'))[0], 'bc24deb6-a622-4623-9dd7-bbd832b68d11');
  });

  it('domstats --state, mapped to the manual states (running, saved, paused)', () => {
    const st = parseDomstatsState(fx('domstats-state.txt'));
    assert.deepEqual([...st.keys()], ['qqprobe-a', 'qqprobe-b', 'qqprobe-c']);
    assert.deepEqual(st.get('qqprobe-b'), { name: 'qqprobe-b', state: 5, reason: 5 });
    const a = st.get('qqprobe-a')!;
    const b = st.get('qqprobe-b')!;
    const c = st.get('qqprobe-c')!;
    assert.deepEqual(mapState(a.state, a.reason, false), { state: 'running', reason: 'booted' });
    assert.deepEqual(mapState(b.state, b.reason, true), { state: 'saved', reason: 'saved' });
    assert.deepEqual(mapState(c.state, c.reason, false), { state: 'paused', reason: 'user' });
  });

  it('maps every libvirt state and keeps the reason', () => {
    assert.deepEqual(mapState(5, 2, false), { state: 'off', reason: 'destroyed' });
    assert.deepEqual(mapState(5, 3, false), { state: 'off', reason: 'crashed' });
    assert.deepEqual(mapState(6, 1, false), { state: 'crashed', reason: 'panicked' });
    assert.deepEqual(mapState(4, 1, false), { state: 'in-shutdown', reason: 'user' });
    assert.deepEqual(mapState(2, 0, false), { state: 'idle', reason: 'unknown' });
    assert.deepEqual(mapState(7, 0, false), { state: 'pmsuspended', reason: 'unknown' });
    assert.equal(mapState(1, 3, true).state, 'running', 'a running domain is running even with an image');
  });

  it('event lines', () => {
    const evs = fx('events-lifecycle.txt').split('\n').filter(Boolean).map(parseEventLine);
    assert.ok(evs.every((e) => e !== undefined));
    assert.deepEqual(evs[0], { type: 'lifecycle', domain: 'qqprobe-a', event: 'Started', detail: 'Restored' });
    assert.ok(evs.some((e) => e!.event === 'Shutdown' && e!.detail === 'Finished after host request'));
    assert.ok(evs.some((e) => e!.event === 'Defined' && e!.detail === 'Added'));
    assert.ok(evs.some((e) => e!.event === 'Undefined' && e!.detail === 'Removed'));
    assert.equal(parseEventLine("event 'job-completed' for domain 'x y':")!.domain, 'x y');
    assert.equal(parseEventLine('Disconnected from qemu:///system due to end of file'), undefined);
  });

  it('our bookkeeping from dumpxml --xpath /domain/metadata and from the whole dumpxml', () => {
    assert.deepEqual(readMetaSnippet(fx('xpath-metadata.txt')), { template: 'T', id: 3, overlays: [] });
    assert.equal(readMetaSnippet(''), undefined);
    const d = parseDomain(fx('dumpxml-inactive.xml'));
    assert.equal(d.name, 'qqprobe-a');
    assert.deepEqual(d.meta, { template: 'T', id: 3, overlays: [] });
    assert.equal(d.disks[0]!.source, '/var/tmp/probe/a.qcow2');
    assert.equal(d.disks[0]!.format, 'qcow2');
  });

  it('pool-dumpxml', () => {
    assert.deepEqual(parsePoolXml("<pool type='dir'>\n  <name>p</name>\n  <target>\n    <path>/var/x</path>\n  </target>\n</pool>"), {
      type: 'dir',
      path: '/var/x',
    });
  });
});
