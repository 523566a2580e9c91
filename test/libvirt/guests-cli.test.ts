/**
 * Running guests through the CLI on real clones of the test guest (a tiny real Linux with an agent, acpid and
 * dropbear): addresses from the agent, guest-exec over three clones with one failing (in order and in parallel),
 * ssh through the 127.0.0.1 port forwarded by the monitor, reboot, reset, shutdown with the timeout path (a guest
 * that ignores ACPI and the agent's shutdown) and --force. States and reasons are checked with virsh. The three
 * clones are booted once and reused.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { XMLParser } from 'fast-xml-parser';
import { ensureGuest, guestExec, waitForGuest, type GuestImage } from '../guest';
import { bootAll } from '../guest/bootAll';
import { createLibvirtService } from '../../src/libvirt';
import { power } from '../../src/libvirt/guests';
import { TestBed, TEST_URI, virsh, domstateBecomes } from '../testbed';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const uptime = async (dom: string): Promise<number> => Number((await guestExec(dom, ['cat', '/proc/uptime'])).stdout.split(' ')[0]);

describe('running guests through the CLI (real guests)', function () {
  this.timeout(900_000);
  let bed: TestBed;
  let home: string;
  let cliJs: string;
  let g: GuestImage;
  let tpl: { name: string };
  let names: string[] = [];

  const q = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [cliJs, ...args], {
        env: { ...process.env, QQ2CLONE_HOME: home, LIBVIRT_DEFAULT_URI: TEST_URI, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await q(args);
    assert.equal(r.code, 0, `qq2clone ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    bed = new TestBed('guests');
    home = bed.root;
    g = ensureGuest();
    tpl = bed.makeGuestTemplate(path.join(home, 'templates'), 'g');
    cliJs = path.join(home, 'cli.js');
    await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cliJs, logLevel: 'silent' });
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ TEMPLATE: tpl.name, NORUN: '0' }));
    await ok('clone', '3');
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'template' || n === 'clone' }).parse(await ok('list', 'xml'));
    const t = (doc.qq2clone.template as { name: string; clone: { id: string; name: string }[] }[]).find((x) => x.name === tpl.name)!;
    names = t.clone.map((c) => c.name);
    assert.equal(names.length, 3);
    await bootAll(names);
  });
  after(() => bed?.cleanup());

  it('ip SET prints NUMBER NAME ADDRESS from the guest agent; list xml has the addresses with their source', async () => {
    const rows = (await ok('ip', 'all')).trimEnd().split('\n');
    assert.deepEqual(rows.map((r) => r.split(' ').slice(0, 3)), names.map((n, i) => [String(i + 1), n, '10.0.2.15']));
    const xml = await ok('list', 'xml');
    for (const n of names) {
      assert.match(xml, new RegExp(`<clone id="\\d" name="${n}"[^>]*state="running"[^>]*>\\n\\s*<address source="agent" interface="eth0" mac="52:54:00:[0-9a-f:]+" type="ipv4" ip="10\\.0\\.2\\.15" prefix="24"/>`));
    }
    const none = await q(['ip', 'off']);
    assert.equal(none.code, 12, 'a SET naming no running clone is a usage error');
  });

  it('guest-exec over three clones with one failing: in order it stops there (exit 14 naming it); --keep-going --parallel runs all', async () => {
    await guestExec(names[1]!, ['sh', '-c', 'echo 1 > /tmp/fail']);
    const cmd = 'echo "hello from $(hostname) $((6*7))"; [ "$(cat /tmp/fail 2>/dev/null)" != 1 ] || { echo bad >&2; exit 3; }';
    const seq = await q(['guest-exec', 'all', cmd]);
    assert.equal(seq.code, 14, seq.stderr);
    assert.match(seq.stdout, new RegExp(`^== 1 \\(${names[0]}\\): exit 0 \\([\\d.]+ s\\)\\nhello from qq2clone-guest 42\\n== 2 \\(${names[1]}\\): exit 3 `));
    assert.doesNotMatch(seq.stdout, /== 3 /, 'clone 3 is not run after the failure');
    assert.match(seq.stderr, /^bad$/m);
    assert.match(seq.stderr, new RegExp(`guest-exec failed in machine 2 \\(${names[1]}\\): the command ended with exit 3; not run for 3\\.`));
    const par = await q(['guest-exec', 'all', cmd, '--parallel', '3', '--keep-going']);
    assert.equal(par.code, 14);
    for (const [i, n] of names.entries()) assert.match(par.stdout, new RegExp(`^== ${i + 1} \\(${n}\\): exit ${i === 1 ? 3 : 0} `, 'm'));
    assert.equal(par.stdout.match(/hello from qq2clone-guest 42/g)?.length, 3);
    assert.match(par.stderr, new RegExp(`guest-exec failed in machine 2 \\(${names[1]}\\): the command ended with exit 3\\.`));
    await guestExec(names[1]!, ['rm', '/tmp/fail']);
    assert.match(await ok('guest-exec', '2', 'cat /etc/hostname'), /qq2clone-guest/);
  });

  it('ssh NUMBER -- COMMAND connects through a 127.0.0.1 port forwarded to the guest, host key learned through the agent', async () => {
    const env = { QQ2CLONE_SSH_USER: 'root', QQ2CLONE_SSH_KEY: g.clientKey, QQ2CLONE_SSH_OPTIONS: '-o BatchMode=yes -o ConnectTimeout=20' };
    const r = await q(['ssh', '1', '--', 'uname', '-n;', 'exit', '7'], env);
    assert.equal(r.code, 7, `ssh's status is the CLI's: ${r.stderr}`);
    assert.equal(r.stdout, 'qq2clone-guest\n');
    const forwards = virsh('qemu-monitor-command', names[0]!, '--hmp', 'info usernet');
    const port = /TCP\[HOST_FORWARD\]\s+\d+\s+127\.0\.0\.1\s+(\d+)\s+10\.0\.2\.15\s+22\s/.exec(forwards)?.[1];
    assert.ok(port, `a forward from 127.0.0.1 to the guest's port 22: ${forwards}`);
    assert.match(r.stderr, new RegExp(`^qq2clone: ssh to 1 \\(${names[0]}\\) at 127\\.0\\.0\\.1:${port} \\(forwarded to its port 22\\); host keys learned through its guest agent: 1\\.$`, 'm'));
    // The known-hosts file is the product's own, the entry keyed by the clone's UUID, the key the guest's real one.
    const uuid = virsh('domuuid', names[0]!).trim();
    const known = fs.readFileSync(path.join(home, 'ssh', 'known_hosts'), 'utf8');
    assert.equal(known, `${uuid} ${g.hostKeyPub}\n`);
    // A second connection reuses the forward; ip shows it.
    assert.equal((await q(['ssh', '1', '--', 'true'], env)).code, 0);
    assert.equal(virsh('qemu-monitor-command', names[0]!, '--hmp', 'info usernet').match(/HOST_FORWARD/g)?.length, 1);
    assert.match(await ok('ip', '1'), new RegExp(`^1 ${names[0]} 10\\.0\\.2\\.15 .*127\\.0\\.0\\.1:${port}$`, 'm'));
    // A wrong key in the file is refused by ssh (strict checking, no blind acceptance), when the agent cannot correct it.
    fs.writeFileSync(path.join(home, 'ssh', 'known_hosts'), `${uuid} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKc4JZ8dDmWcLXBsxMPm2yqrZEib+IJ7+JhQon3EesRX\n`);
    const line = ['-p', port!, '-o', `HostKeyAlias=${uuid}`, '-o', `UserKnownHostsFile=${path.join(home, 'ssh', 'known_hosts')}`, '-o', 'BatchMode=yes', '-i', g.clientKey, 'root@127.0.0.1', 'true'];
    const refused = await new Promise<number | null>((res) => spawn('ssh', line, { stdio: 'ignore' }).on('close', res));
    assert.equal(refused, 255);
    assert.equal((await q(['ssh', '1', '--', 'true'], env)).code, 0, 'the product re-learns the key through the agent');
  });

  it('reboot and reset restart the guests (uptime starts again, state running (booted))', async () => {
    const before1 = await uptime(names[0]!);
    const before2 = await uptime(names[1]!);
    assert.match(await ok('-v', 'reboot', '1'), new RegExp(`Rebooting 1 \\(${names[0]}\\)`));
    assert.match(await ok('-v', 'reset', '2'), new RegExp(`Reset 2 \\(${names[1]}\\)`));
    await new Promise((r) => setTimeout(r, 3000));
    await Promise.all([waitForGuest(names[0]!, 420_000), waitForGuest(names[1]!, 420_000)]);
    assert.ok((await uptime(names[0]!)) < before1 + 3, 'clone 1 rebooted');
    assert.ok((await uptime(names[1]!)) < before2 + 3, 'clone 2 was reset');
    assert.equal(virsh('domstate', '--reason', names[0]!).trim(), 'running (booted)');
    assert.equal(virsh('domstate', '--reason', names[1]!).trim(), 'running (booted)');
  });

  it('shutdown of a guest that ignores ACPI and the agent times out naming it (16); --force forces it off', async () => {
    const c3 = names[2]!;
    // acpid gone: the power button does nothing; /sbin/shutdown gone: the agent's guest-shutdown fails.
    await guestExec(c3, ['sh', '-c', 'killall acpid; mv /sbin/shutdown /sbin/shutdown.off; mv /sbin/poweroff /sbin/poweroff.off 2>/dev/null; true']);
    const t0 = Date.now();
    const r = await q(['shutdown', '3', '--timeout', '6']);
    assert.equal(r.code, 16, r.stderr);
    assert.ok(Date.now() - t0 >= 6000, 'it waited the timeout');
    assert.match(r.stderr, new RegExp(`Still running after 6 s: 3 \\(${c3}\\)\\..*--force`));
    assert.match(virsh('domstate', '--reason', c3), /^running/);
    const f = await q(['-v', 'shutdown', '3', '--timeout', '2', '--force']);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, new RegExp(`Forced off 3 \\(${c3}\\)`));
    assert.equal(virsh('domstate', '--reason', c3).trim(), 'shut off (destroyed)');
  });

  it('shutdown SET shuts the guests down cleanly (shut off (shutdown)); again it names no machine it can act on (12)', async () => {
    const r = await q(['-v', 'shutdown', '1,2', '--timeout', '90']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Shut down 1 \\(${names[0]}\\)`));
    for (const n of names.slice(0, 2)) assert.equal(await domstateBecomes(n, 'shut off'), 'shut off (shutdown)');
    const again = await q(['shutdown', '1,2']);
    assert.equal(again.code, 12);
  });

  it("Shut Down returns when the guest's Stopped event arrives, not at its next look at the states", async function () {
    // With the looks an hour apart, only the lifecycle event can end the wait before the test's timeout.
    this.timeout(240_000);
    if (virsh('domstate', names[0]!).trim() === 'shut off') virsh('start', names[0]!);
    await waitForGuest(names[0]!);
    const svc = createLibvirtService({ uri: TEST_URI, home });
    try {
      const ref = { template: tpl.name, id: 1, uuid: virsh('domuuid', names[0]!).trim(), name: names[0]! };
      const r = await power(svc, 'shutdown', [ref], { timeoutMs: 3_600_000, pollMs: 3_600_000 });
      assert.deepEqual(r.done.map((c) => c.name), [names[0]]);
      assert.deepEqual(r.stillRunning, []);
      assert.equal(virsh('domstate', '--reason', names[0]!).trim(), 'shut off (shutdown)');
    } finally {
      svc.dispose();
    }
  });
});
