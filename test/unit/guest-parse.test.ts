/**
 * Parsers of the running-guest features on output captured from real virsh (test/fixtures/virsh): domifaddr,
 * the monitor's `info network` / `info usernet` / hostfwd_add, domstate --reason, the guest agent's answers.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LibvirtError } from '../../src/core/errors';
import { mapFailure } from '../../src/libvirt/process/failures';
import { agentAnswers, agentCommandArgs, parseAgentReturn, parseExecPid, parseExecStatus } from '../../src/libvirt/guests/agent';
import { addressText, parseDomifaddr, readAddresses, usefulAddresses } from '../../src/libvirt/guests/addresses';
import { hostfwdCommand, hostfwdFailure, parseUserNetdevs, parseUsernetForwards } from '../../src/libvirt/guests/forward';
import { parseDomstateReason, powerArgs } from '../../src/libvirt/guests/power';
import { parseHostKeys, replaceKnownHosts, sshCommandLine } from '../../src/libvirt/guests/ssh';

const fx = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'virsh', name), 'utf8');

describe('running guests: parsers of virsh output', () => {
  it('domifaddr with no rows (a user-mode NIC has no lease) is no address', () => {
    assert.deepEqual(parseDomifaddr(fx('domifaddr-empty.txt')), []);
  });

  it('domifaddr rows: "-" continues the interface above; loopback and link-local are not shown; IPv4 first', () => {
    const rows = parseDomifaddr(fx('domifaddr-agent.txt'));
    assert.ok(rows.length >= 2, 'the agent reports lo and the NIC');
    assert.ok(rows.every((r) => r.iface !== '-' && r.mac !== '-'));
    const useful = usefulAddresses(rows);
    assert.ok(useful.length >= 1);
    assert.ok(useful.every((r) => !/^127\./.test(r.address) && r.address !== '::1' && !/^fe80:/i.test(r.address)));
    assert.equal(useful[0]!.protocol, 'ipv4');
    assert.equal(useful[0]!.address, '10.0.2.15', 'QEMU user-mode networking gives the guest 10.0.2.15');
    assert.equal(useful[0]!.prefix, 24);
  });

  it('reads the sources in order and says why each gave nothing', async () => {
    const calls: string[] = [];
    const virsh = async (args: readonly string[]) => {
      calls.push(args[3]!);
      if (args[3] === 'agent') throw mapFailure({ program: 'virsh', args, exitCode: 1, stderr: fx('err-agent-not-connected.txt') });
      if (args[3] === 'lease') return fx('domifaddr-empty.txt');
      return fx('domifaddr-agent.txt');
    };
    const a = await readAddresses(virsh, 'u', undefined);
    assert.deepEqual(calls, ['agent', 'lease', 'arp']);
    assert.equal(a.source, 'arp');
    assert.match(a.tried[0]!.problem, /guest agent is not connected/);
    assert.deepEqual(a.tried[1], { source: 'lease', problem: 'no address' });
    assert.match(addressText(a), /^10\.0\.2\.15/);
  });

  it("info network names the user-mode netdev; a NIC on a bridge would name none", () => {
    assert.deepEqual(parseUserNetdevs(fx('hmp-info-network.txt')), ['hostnet0']);
    assert.deepEqual(parseUserNetdevs('net0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:00:00:01\n \\ hostnet0: index=0,type=tap,ifname=vnet0,script=no,downscript=no\n'), []);
  });

  it('info usernet: no forwards, then the forward hostfwd_add made', () => {
    assert.deepEqual(parseUsernetForwards(fx('hmp-info-usernet.txt')), []);
    assert.deepEqual(parseUsernetForwards(fx('hmp-info-usernet-forward.txt')), [
      { netdev: 'hostnet0', hostAddress: '127.0.0.1', hostPort: 34567, guestAddress: '10.0.2.15', guestPort: 22 },
    ]);
  });

  it('hostfwd_add fails with a sentence on stdout (virsh exits 0), succeeds with nothing', () => {
    assert.equal(hostfwdCommand('hostnet0', 34567, 22), 'hostfwd_add hostnet0 tcp:127.0.0.1:34567-:22');
    assert.equal(hostfwdFailure(fx('hmp-hostfwd-add-ok.txt')), undefined);
    assert.match(hostfwdFailure(fx('hmp-hostfwd-add-taken.txt'))!, /^Could not set up host forwarding rule 'tcp:127\.0\.0\.1:34567-:22'$/);
  });

  it('domstate --reason to the manual state and the reason', () => {
    assert.deepEqual(parseDomstateReason(fx('domstate-reason-running.txt')), { state: 'running', reason: 'booted' });
    assert.deepEqual(parseDomstateReason(fx('domstate-reason-shutoff.txt')), { state: 'off', reason: 'shutdown' });
    assert.deepEqual(parseDomstateReason('in shutdown (user)\n'), { state: 'in-shutdown', reason: 'user' });
    assert.throws(() => parseDomstateReason('frobbed (x)'), LibvirtError);
  });

  it('power operations as virsh commands: agent then ACPI for shutdown and reboot, reset at once', () => {
    assert.deepEqual(powerArgs('shutdown', 'U'), ['shutdown', 'U', '--mode', 'agent,acpi']);
    assert.deepEqual(powerArgs('reboot', 'U'), ['reboot', 'U', '--mode', 'agent,acpi']);
    assert.deepEqual(powerArgs('reset', 'U'), ['reset', 'U']);
  });
});

describe('running guests: the guest agent', () => {
  it('commands are one JSON argument with a timeout', () => {
    assert.deepEqual(agentCommandArgs('U', 'guest-exec-status', { pid: 7 }, 5), [
      'qemu-agent-command', 'U', '{"execute":"guest-exec-status","arguments":{"pid":7}}', '--timeout', '5',
    ]);
    assert.deepEqual(JSON.parse(agentCommandArgs('U', 'guest-ping')[2]!), { execute: 'guest-ping' });
  });

  it('guest-exec answers a pid; guest-exec-status decodes output and exit code (captured from the test guest)', () => {
    assert.equal(typeof parseExecPid(fx('agent-guest-exec.json')), 'number');
    const running = parseExecStatus(fx('agent-exec-status-running.json'));
    assert.equal(running.exited, false);
    const done = parseExecStatus(fx('agent-exec-status-exited.json'));
    assert.equal(done.exited, true);
    assert.equal(done.exitCode, 3);
    assert.equal(done.stdout, 'out\n');
    assert.equal(done.stderr, 'err\n');
    assert.equal(done.signal, undefined);
  });

  it('an agent that is not connected is a LibvirtError; agentAnswers says no instead of throwing', async () => {
    const err = mapFailure({ program: 'virsh', args: ['qemu-agent-command'], exitCode: 1, stderr: fx('err-agent-not-connected.txt') });
    assert.ok(err instanceof LibvirtError);
    assert.equal(err.message, 'Guest agent is not responding: QEMU guest agent is not connected');
    assert.equal(await agentAnswers(async () => Promise.reject(err), 'U'), false);
    assert.equal(await agentAnswers(async () => '{"return":{}}', 'U'), true);
  });

  it('an error answer names what the agent refused', () => {
    assert.throws(() => parseAgentReturn('{"error":{"class":"GenericError","desc":"Guest agent command failed"}}'), /refused: Guest agent command failed/);
    assert.throws(() => parseAgentReturn('not json'), /not JSON/);
  });
});

describe('running guests: SSH trust', () => {
  it('host keys from OpenSSH .pub files and dropbearkey -y output (captured from the test guest)', () => {
    const keys = parseHostKeys(fx('guest-host-keys.txt'));
    assert.ok(keys.length >= 1);
    for (const k of keys) assert.match(`${k.type} ${k.key}`, /^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/]+=*$/);
    assert.deepEqual(parseHostKeys('Public key portion is:\nssh-ed25519 AAAAC3Nza root@x\nFingerprint: sha1!! 00:11\n'), [
      { type: 'ssh-ed25519', key: 'AAAAC3Nza' },
    ]);
  });

  it("known hosts keyed by UUID: a clone's entries are replaced, other clones' kept", () => {
    const before = 'uuid-a ssh-ed25519 OLD\nuuid-b ssh-ed25519 KEEP\n';
    const after = replaceKnownHosts(before, 'uuid-a', [{ type: 'ssh-ed25519', key: 'NEW' }]);
    assert.equal(after, 'uuid-b ssh-ed25519 KEEP\nuuid-a ssh-ed25519 NEW\n');
  });

  it('the ssh command line: port, HostKeyAlias = UUID, our known-hosts file only, no CheckHostIP; the command after --', () => {
    const line = sshCommandLine({ host: '127.0.0.1', port: 40022, via: 'forward' }, 'uuid-a', '/h/ssh/known_hosts', { user: 'root', identityFile: '/k' }, ['uname', '-a']);
    assert.equal(line.command, 'ssh');
    const a = line.args.join(' ');
    assert.match(a, /^-p 40022 /);
    assert.match(a, /-o HostKeyAlias=uuid-a/);
    assert.match(a, /-o UserKnownHostsFile=\/h\/ssh\/known_hosts -o GlobalKnownHostsFile=\/dev\/null/);
    assert.match(a, /-o CheckHostIP=no/);
    assert.match(a, /-i \/k -o IdentitiesOnly=yes -l root -- 127\.0\.0\.1 uname -a$/);
    assert.doesNotMatch(a, /StrictHostKeyChecking=(no|accept-new)/, 'never blind acceptance');
  });
});
