/** The SSH login user a template names in its metadata (its own namespace), read from a domain's XML. */
import * as assert from 'node:assert/strict';
import { sshLoginOf, SSH_NS } from '../../src/libvirt/domain/sshLogin';

const domain = (metadata: string) => `<domain type='qemu'>\n  <name>x</name>\n  <metadata>\n    ${metadata}\n  </metadata>\n</domain>\n`;

describe('SSH login user from the metadata', () => {
  it('reads <ssh:login user=...> in its namespace, whatever the prefix', () => {
    assert.equal(sshLoginOf(domain(`<ssh:login xmlns:ssh="${SSH_NS}" user="debian"/>`)), 'debian');
    assert.equal(sshLoginOf(domain(`<l:login xmlns:l="${SSH_NS}" user="ci_runner.2"/>`)), 'ci_runner.2');
    assert.equal(sshLoginOf(domain(`<q2c:clone xmlns:q2c="https://qq2clone.invalid/xmlns/clone/1" template="T" id="1"/>\n    <ssh:login xmlns:ssh="${SSH_NS}" user="root"/>`)), 'root');
  });

  it('ignores another namespace, no metadata, XML that does not parse, and names that are no plain user', () => {
    assert.equal(sshLoginOf(domain(`<ssh:login xmlns:ssh="https://example.invalid/other" user="debian"/>`)), undefined);
    assert.equal(sshLoginOf(`<domain type='qemu'><name>x</name></domain>`), undefined);
    assert.equal(sshLoginOf(`<domain><metadata>`), undefined);
    assert.equal(sshLoginOf(domain(`<ssh:login xmlns:ssh="${SSH_NS}" user="-oProxyCommand=x"/>`)), undefined);
    assert.equal(sshLoginOf(domain(`<ssh:login xmlns:ssh="${SSH_NS}" user="a b"/>`)), undefined);
  });
});
