/** The pure parts of a clone's identity: the hostname pattern, the metadata element, the host key files. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_HOSTNAME_PATTERN, hostnamePatternProblem, renderHostname } from '../../src/core/hostnamePattern';
import { identityElement, identityOf, withIdentity, IDENTITY_NS } from '../../src/libvirt/domain';
import { identityProblem, newHostKey, newMachineId, nonLinuxOs, sshFingerprint } from '../../src/libvirt/identity';

const DOMAIN = `<domain type='qemu'>\n  <name>web</name>\n  <memory unit='MiB'>128</memory>\n</domain>\n`;

describe('clone identity (pure parts)', () => {
  it('renders the hostname pattern into a valid hostname', () => {
    assert.equal(renderHostname(DEFAULT_HOSTNAME_PATTERN, { template: 'Debian 12', number: 3, name: 'Debian 12-3' }), 'Debian-12-3');
    assert.equal(renderHostname('{name}.lab', { template: 't', number: 1, name: '_web_1_' }), 'web-1.lab');
    assert.equal(renderHostname('node{number}', { template: 't', number: 12, name: 'x' }), 'node12');
    assert.equal(renderHostname(`${'a'.repeat(70)}-{number}`, { template: 't', number: 1, name: 'x' }).length, 63);
  });

  it('refuses patterns that are unknown or the same for every clone', () => {
    assert.match(hostnamePatternProblem('{host}-{number}') ?? '', /unknown field \{host\}/);
    assert.match(hostnamePatternProblem('{template}') ?? '', /must contain \{number\} or \{name\}/);
    assert.equal(hostnamePatternProblem('x-{number}'), undefined);
  });

  it('writes, reads and removes the identity element; the rest stays byte for byte', () => {
    const on = withIdentity(DOMAIN, { hostname: 'h-{number}', authorizedKey: 'ssh-ed25519 AAAA me@x', user: 'debian' });
    assert.ok(on.includes(`xmlns:id="${IDENTITY_NS}"`));
    assert.deepEqual(identityOf(on).setting, { hostname: 'h-{number}', authorizedKey: 'ssh-ed25519 AAAA me@x', user: 'debian' });
    const applied = { hostname: 'h-1', machineId: 'ab'.repeat(16), keys: [{ type: 'ssh-ed25519', fingerprint: 'SHA256:x' }] };
    const withApplied = withIdentity(on, { hostname: 'h-{number}' }, applied);
    assert.deepEqual(identityOf(withApplied), { setting: { hostname: 'h-{number}' }, applied });
    assert.equal(withIdentity(withApplied, undefined), DOMAIN.replace('</name>\n', '</name>\n  <metadata>\n  </metadata>\n'));
    assert.equal(identityOf(DOMAIN).setting, undefined);
    assert.equal(identityElement({ hostname: 'a&b' }, undefined, ''), '<identity hostname="a&amp;b"/>');
  });

  it('makes host keys OpenSSH reads, with the fingerprint ssh-keygen prints, and dropbear-format files', () => {
    const k = newHostKey('root@h-1');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-hostkey-'));
    try {
      fs.writeFileSync(path.join(dir, 'k'), k.openssh, { mode: 0o600 });
      assert.equal(execFileSync('ssh-keygen', ['-y', '-f', path.join(dir, 'k')], { encoding: 'utf8' }).trim(), k.publicLine);
      assert.equal(execFileSync('ssh-keygen', ['-l', '-f', path.join(dir, 'k')], { encoding: 'utf8' }).split(' ')[1], k.fingerprint);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(k.dropbear.length, 83);
    assert.deepEqual(k.dropbear.subarray(51), Buffer.from(k.publicKey, 'base64').subarray(19), 'dropbear file ends with the public half');
    assert.equal(sshFingerprint(k.publicKey), k.fingerprint);
    assert.match(newMachineId(), /^[0-9a-f]{32}$/);
    assert.notEqual(newMachineId(), newMachineId());
  });
});

describe('identity is for Linux guests only', () => {
  it('names the system of a template whose libosinfo metadata is not Linux', () => {
    const win = DOMAIN.replace('</name>\n', `</name>\n  <metadata>\n    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0"><libosinfo:os id="http://microsoft.com/win/10"/></libosinfo:libosinfo>\n  </metadata>\n`);
    assert.equal(nonLinuxOs(win), 'Windows');
    assert.match(identityProblem(win, { hostname: DEFAULT_HOSTNAME_PATTERN }) ?? '', /Windows guest: .* Linux guests only/);
    assert.equal(nonLinuxOs(win.replace('microsoft.com/win/10', 'debian.org/debian/12')), undefined);
    assert.equal(identityProblem(DOMAIN, { hostname: DEFAULT_HOSTNAME_PATTERN }), undefined);
    assert.match(identityProblem(DOMAIN, { hostname: 'x-{number}', authorizedKey: 'not a key' }) ?? '', /not an OpenSSH public key/);
  });
});
