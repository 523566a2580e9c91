/**
 * Every clone its own identity, on the real test guest: two clones of one template get, in one appliance, their own
 * hostname (the pattern's), machine-id and SSH host key; they boot with them; the host keys are the ones pinned in
 * the product's known-hosts file under each clone's UUID, so ssh with StrictHostKeyChecking=yes and that file logs in
 * with the user's key (authorized by the identity, not by the image) and no prompt; the template image is unchanged.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLibvirtService } from '../../src/libvirt';
import type { CloneInfo, LibvirtService } from '../../src/libvirt/api';
import { identityOf } from '../../src/libvirt/domain';
import { ed25519PublicKey, knownHostsPath, sshCommandLine, sshTarget, type VirshCall } from '../../src/libvirt/guests';
import { giveNewIdentity, setTemplateIdentity, sshFingerprint } from '../../src/libvirt/identity';
import { DEFAULT_HOSTNAME_PATTERN, renderHostname } from '../../src/core/hostnamePattern';
import { runCli } from '../../src/cli/run';
import { virshVia } from '../../src/libvirt/serviceCore';
import { guestExec, waitForGuest } from '../guest';
import { TestBed, TEST_URI, virsh } from '../testbed';

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** What the booted guest says of itself. */
async function selfOf(name: string): Promise<{ hostname: string; machineId: string; hostKey: string }> {
  const sh = async (cmd: string) => {
    const r = await guestExec(name, ['sh', '-c', cmd]);
    assert.equal(r.exitCode, 0, r.stderr);
    return r.stdout.trim();
  };
  const hex = (await sh('tail -c 32 /etc/dropbear/dropbear_ed25519_host_key | od -An -v -tx1')).replace(/\s+/g, '');
  return { hostname: await sh('hostname'), machineId: await sh('cat /etc/machine-id'), hostKey: ed25519PublicKey(Buffer.from(hex, 'hex')) };
}

describe('clone identity on the real test guest', function () {
  this.timeout(900_000);
  let bed: TestBed;
  let svc: LibvirtService;
  let tpl: { name: string; disk: string; xmlPath: string };
  let imageSum: string;
  let userKey: string;
  const virshCall: VirshCall = (args, signal) => virshVia(svc, args, signal);

  before(() => {
    bed = new TestBed('ident');
    tpl = bed.makeGuestTemplate(path.join(bed.root, 'templates'), 'tpl');
    svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
    imageSum = sha256(tpl.disk);
    userKey = path.join(bed.root, 'user_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'identity-test', '-f', userKey]);
  });

  after(() => {
    svc?.dispose();
    bed?.cleanup();
  });

  const cli = async (argv: string[]) => {
    const out = { code: -1, stdout: '', stderr: '' };
    out.code = await runCli(argv, {
      io: { stdout: (s) => (out.stdout += s), stderr: (s) => (out.stderr += s), env: { ...process.env, QQ2CLONE_HOME: bed.root }, stdinIsTTY: false },
      makeService: (config) => createLibvirtService({ ...config, uri: TEST_URI }),
    });
    return out;
  };

  /** Boots the clones, checks each against what was pinned and logs in over SSH strictly with the user's key. */
  async function bootAndCheck(clones: readonly CloneInfo[], hostnames: readonly string[]): Promise<void> {
    for (const c of clones) if (virsh('domstate', c.name).trim() !== 'running') virsh('start', c.name);
    const kh = knownHostsPath(bed.root);
    const seen: { hostname: string; machineId: string; hostKey: string }[] = [];
    for (const [i, c] of clones.entries()) {
      await waitForGuest(c.name);
      const self = await selfOf(c.name);
      seen.push(self);
      assert.equal(self.hostname, hostnames[i]);
      assert.match(self.machineId, /^[0-9a-f]{32}$/);
      const pinned = fs.readFileSync(kh, 'utf8').split('\n').filter((l) => l.startsWith(`${c.uuid} `));
      assert.deepEqual(pinned, [`${c.uuid} ssh-ed25519 ${self.hostKey}`], 'the guest serves the host key pinned for its UUID');
      const applied = identityOf(virsh('dumpxml', '--inactive', c.uuid)).applied;
      assert.equal(applied?.hostname, hostnames[i]);
      assert.equal(applied?.machineId, self.machineId);
      assert.deepEqual(applied?.keys, [{ type: 'ssh-ed25519', fingerprint: sshFingerprint(self.hostKey) }]);
      const target = await sshTarget(virshCall, c.uuid);
      assert.equal(target.host, '127.0.0.1');
      const opts = ['-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no', '-o', 'ConnectTimeout=30'];
      const line = sshCommandLine(target, c.uuid, kh, { user: 'root', identityFile: userKey, options: opts }, ['cat', '/etc/hostname', '/etc/machine-id']);
      const out = execFileSync(line.command, [...line.args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
      assert.equal(out, `${hostnames[i]}\n${self.machineId}\n`);
    }
    assert.equal(new Set(seen.map((s) => s.machineId)).size, clones.length, 'machine-ids differ');
    assert.equal(new Set(seen.map((s) => s.hostKey)).size, clones.length, 'host keys differ');
    for (const c of clones) virsh('destroy', c.name);
    assert.equal(sha256(tpl.disk), imageSum, "the template's image is never written");
  }

  it('New Identity on two clones that are off: one appliance, then each boots with its own', async () => {
    await svc.writeTemplateXml(tpl.name, fs.readFileSync(tpl.xmlPath, 'utf8'));
    const clones = await svc.clone(tpl.name, 2);
    const progress: number[] = [];
    const r = await giveNewIdentity(svc, clones, {
      hostname: 'box-{number}',
      authorizedKey: fs.readFileSync(`${userKey}.pub`, 'utf8').trim(),
      onProgress: (p) => progress.push(p.done),
    });
    assert.deepEqual(r.failed.map((f) => f.error.message), []);
    assert.deepEqual(r.done.map((c) => c.id), [1, 2]);
    assert.deepEqual(progress, [1, 2]);
    await bootAndCheck(clones, ['box-1', 'box-2']);
    // The CLI's identity on a clone that is off; the running one is refused (exit code and reason).
    const before = fs.readFileSync(knownHostsPath(bed.root), 'utf8');
    const again = await cli(['-t', tpl.name, 'identity', '1', '--hostname', 'again-{number}']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout + again.stderr, /New identity for 1 \(.*\): hostname again-1, host key SHA256:/);
    assert.notEqual(fs.readFileSync(knownHostsPath(bed.root), 'utf8'), before, 'the new host key is pinned');
    assert.equal(identityOf(virsh('dumpxml', '--inactive', clones[0]!.uuid)).applied?.hostname, 'again-1');
    virsh('start', clones[1]!.name);
    const refused = await cli(['-t', tpl.name, 'identity', '2']);
    assert.notEqual(refused.code, 0);
    virsh('destroy', clones[1]!.name);
    await svc.run('rm', clones);
  });

  it("the CLI's clone 2 of a template with identity on: each clone is started with its own, pinned before it first starts", async () => {
    await setTemplateIdentity(svc, tpl.name, { hostname: DEFAULT_HOSTNAME_PATTERN, authorizedKey: fs.readFileSync(`${userKey}.pub`, 'utf8') });
    fs.rmSync(knownHostsPath(bed.root), { force: true });
    const out = await cli(['-t', tpl.name, '-r', '-f', 'clone', '2']);
    assert.equal(out.code, 0, out.stderr);
    const clones = (await svc.inventory()).clones.filter((c) => c.template === tpl.name).sort((a, b) => a.id - b.id);
    assert.deepEqual(clones.map((c) => [c.id, c.state]), [[1, 'running'], [2, 'running']]);
    const names = clones.map((c) => renderHostname(DEFAULT_HOSTNAME_PATTERN, { template: tpl.name, number: c.id, name: c.name }));
    await bootAndCheck(clones, names);
    // list xml: each clone's hostname and host-key fingerprint, as pinned.
    const list = await cli(['-t', tpl.name, 'list', 'xml']);
    assert.equal(list.code, 0, list.stderr);
    for (const [i, c] of clones.entries()) {
      const el = new RegExp(`<clone id="${c.id}"[^>]* hostname="${names[i]}">\\s*<host-key type="ssh-ed25519" fingerprint="(SHA256:[^"]+)"/>`).exec(list.stdout);
      assert.ok(el, list.stdout);
      const pinned = fs.readFileSync(knownHostsPath(bed.root), 'utf8').split('\n').find((l) => l.startsWith(`${c.uuid} `))!.split(' ')[2]!;
      assert.equal(el[1], sshFingerprint(pinned));
    }
    await svc.run('rm', clones);
  });
});
