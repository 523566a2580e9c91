import * as assert from 'node:assert/strict';
import { hostSettings, sameConfig } from '../../src/extension/hostList';

describe('the hosts of qq2clone.connections', () => {
  const primary = { uri: 'qemu:///system', templateDir: '/t', storage: '/s' };

  it('puts qq2clone.connectionUri first, with its own directories, then each entry', () => {
    const { hosts, ignored } = hostSettings(primary, [
      'qemu+ssh://lab@h1/system',
      { uri: 'qemu+ssh://u@h2/session', label: 'lab two', storage: 'default', templateDirectory: '/t2' },
    ]);
    assert.deepEqual(ignored, []);
    assert.deepEqual(
      hosts.map((h) => [h.uri, h.label, h.config]),
      [
        ['qemu:///system', 'qemu:///system', primary],
        ['qemu+ssh://lab@h1/system', 'qemu+ssh://lab@h1/system', { uri: 'qemu+ssh://lab@h1/system' }],
        ['qemu+ssh://u@h2/session', 'lab two', { uri: 'qemu+ssh://u@h2/session', templateDir: '/t2', storage: 'default' }],
      ],
    );
  });

  it('takes a label for the first host from an entry naming it, and leaves out entries without a URI or repeated', () => {
    const { hosts, ignored } = hostSettings(primary, [{ uri: 'qemu:///system', label: 'here' }, { label: 'no uri' }, '  ', 'qemu:///session', 'qemu:///session']);
    assert.deepEqual(hosts.map((h) => `${h.label}=${h.uri}`), ['here=qemu:///system', 'qemu:///session=qemu:///session']);
    assert.equal(hosts[0]!.config, primary);
    assert.equal(ignored.length, 3);
    assert.match(ignored[0]!, /no "uri"/);
    assert.match(ignored[2]!, /qemu:\/\/\/session is listed more than once/);
  });

  it('keeps a host whose configuration is the same', () => {
    assert.ok(sameConfig({ uri: 'a', storage: 'p' }, { uri: 'a', storage: 'p' }));
    assert.ok(!sameConfig({ uri: 'a', storage: 'p' }, { uri: 'a' }));
  });
});
