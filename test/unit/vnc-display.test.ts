/** The console's pure parts: where a VNC display is in live domain XML, and the DES of VNC authentication. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { desEncryptBlock, vncAddressText, vncAuthResponse, vncDisplayOf } from '../../src/libvirt/display';

const fixture = (f: string) => fs.readFileSync(path.resolve(__dirname, '../fixtures', f), 'utf8');

describe('VNC display of a live domain', () => {
  it('reads port and loopback address of a running domain (real dumpxml)', () => {
    assert.deepEqual(vncDisplayOf(fixture('virsh/dumpxml-live-policy.xml')), { address: { kind: 'tcp', host: '127.0.0.1', port: 5901 } });
  });

  it('says why there is none: no graphics, SPICE only, no port yet', () => {
    assert.deepEqual(vncDisplayOf(fixture('templates/domain-dumpxml.xml')), { kind: 'not-vnc', types: ['spice'] });
    const inactive = fixture('virsh/dumpxml-live-policy.xml').replace(/ port='5901'/, " port='-1'");
    assert.deepEqual(vncDisplayOf(inactive), { kind: 'no-address' });
    const none = fixture('virsh/dumpxml-live-policy.xml').replace(/<graphics[\s\S]*?<\/graphics>/, '');
    assert.deepEqual(vncDisplayOf(none), { kind: 'no-graphics' });
  });

  it('reaches a wildcard listener on 127.0.0.1 and keeps the password', () => {
    const xml = fixture('virsh/dumpxml-live-policy.xml').replace(/listen='127\.0\.0\.1'/, "listen='0.0.0.0' passwd='pw'").replace(/address='127\.0\.0\.1'/, "address='0.0.0.0'");
    assert.deepEqual(vncDisplayOf(xml), { address: { kind: 'tcp', host: '127.0.0.1', port: 5901 }, password: 'pw' });
    assert.equal(vncAddressText({ kind: 'tcp', host: '::1', port: 5900 }), '[::1]:5900');
  });
});

describe('VNC authentication', () => {
  it('DES gives the known answer of the classic example (key 133457799BBCDFF1)', () => {
    assert.equal(desEncryptBlock(Buffer.from('133457799BBCDFF1', 'hex'), Buffer.from('0123456789ABCDEF', 'hex')).toString('hex'), '85e813540f0ab405');
  });

  it('answers a challenge as OpenSSL DES-ECB does with the bit-reversed password (computed with openssl -provider legacy)', () => {
    assert.equal(vncAuthResponse(Buffer.from('00112233445566778899aabbccddeeff', 'hex'), 's3cretpw').toString('hex'), '2327a1bfd6ebf5f9e1cff74c5890767d');
  });
});
