/**
 * The real test guest the other tests rely on: it is built and cached per recipe, boots to ready, runs commands
 * through its agent, answers SSH on a 127.0.0.1 forward, powers off cleanly on the ACPI button and on the agent's
 * request, and a kernel panic ends the domain as "crashed" through pvpanic. Three boots in all.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureGuest, forwardSsh, guestDomainXml, guestExec, recipeHash, sshArgs, READY_MARKER, waitForGuest as waitFor, type GuestImage } from '../guest';
import { TestBed, qemuImg, virsh, domstateBecomes } from '../testbed';

describe('test guest: a real Linux booted from the cached image', function () {
  this.timeout(600_000); // a boot takes about 5 s on a quiet 2-core machine, over 100 s were seen on an overloaded one
  let bed: TestBed;
  let g: GuestImage;
  let dom: string;
  let disk: string;
  let serialLog: string;

  /** waitForGuest, with the end of the serial console in its error. */
  const waitForGuest = (domain: string): Promise<void> =>
    waitFor(domain).catch((e: unknown) => {
      const log = fs.existsSync(serialLog) ? fs.readFileSync(serialLog, 'utf8').slice(-3000) : '(no serial log)';
      throw new Error(`${e instanceof Error ? e.message : String(e)}\nserial console:\n${log}`);
    });

  before(() => {
    bed = new TestBed('guest');
    g = ensureGuest();
    dom = `${bed.prefix}-g`;
    disk = path.join(bed.root, 'g.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', g.rootImage, '-F', 'qcow2', disk);
    const xml = path.join(bed.root, 'g.xml');
    serialLog = path.join(bed.root, 'serial.log');
    fs.writeFileSync(xml, guestDomainXml({ name: dom, disk, serialLog }));
    virsh('define', xml);
  });
  after(() => bed?.cleanup());

  it('is cached under its recipe hash: a second ensureGuest builds nothing and gives the same files', () => {
    const again = ensureGuest();
    assert.equal(again.buildSeconds, 0);
    assert.equal(again.dir, g.dir);
    assert.equal(path.basename(g.dir), recipeHash());
    for (const f of [g.kernel, g.initrd, g.rootImage, g.clientKey]) assert.ok(fs.statSync(f).size > 0, f);
    assert.match(g.hostKeyPub, /^ssh-ed25519 \S+$/);
    assert.equal(fs.readFileSync(g.kernel).subarray(0, 4).toString('latin1'), '\x7fELF', 'the kernel is the uncompressed vmlinux');
    const info = JSON.parse(qemuImg('info', '-U', '--output=json', g.rootImage)) as { format: string; 'virtual-size': number };
    assert.equal(info.format, 'qcow2');
    assert.equal(info['virtual-size'], 256 << 20);
  });

  it('boots to ready; guest-exec runs commands with stdin, output and exit codes; the base image is untouched', async () => {
    const base = fs.readFileSync(g.rootImage);
    virsh('start', dom);
    await waitForGuest(dom);
    assert.match(fs.readFileSync(serialLog, 'utf8'), new RegExp(READY_MARKER), 'the ready marker is on the serial console');
    const r = await guestExec(dom, ['sh', '-c', 'cat > /root/note; cat /root/note; echo err >&2; exit 3'], { input: 'hello guest\n' });
    assert.deepEqual(r, { exitCode: 3, stdout: 'hello guest\n', stderr: 'err\n' });
    const uname = await guestExec(dom, ['uname', '-r']);
    assert.equal(uname.exitCode, 0);
    assert.match(uname.stdout, /-cloud-amd64\n$/);
    const rng = await guestExec(dom, ['cat', '/sys/devices/virtual/misc/hw_random/rng_current']);
    assert.match(rng.stdout, /^virtio_rng/, 'the kernel feeds its random pool from the host');
    assert.ok(base.equals(fs.readFileSync(g.rootImage)), 'the cached base was not written');
  });

  it('tells libvirt its hostname and addresses through the agent (read only: tests never connect to them)', () => {
    assert.equal(virsh('domhostname', dom, '--source', 'agent').trim(), 'qq2clone-guest');
    const addrs = virsh('domifaddr', dom, '--source', 'agent');
    assert.match(addrs, /eth0\s+52:54:00:aa:bb:01\s+ipv4\s+10\.0\.2\.15\/24/);
  });

  it('answers SSH with its fixed host key on a 127.0.0.1 forward added through the monitor', async () => {
    const port = await forwardSsh(dom);
    const out = execFileSync('ssh', [...sshArgs(g, port), 'echo', 'hi', '$(hostname)'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(out, 'hi qq2clone-guest\n');
  });

  it('powers off cleanly on the ACPI power button: shut off (shutdown); the file written before is still there', async () => {
    virsh('shutdown', dom, '--mode', 'acpi');
    assert.equal(await domstateBecomes(dom, 'shut off'), 'shut off (shutdown)');
    virsh('start', dom);
    await waitForGuest(dom);
    assert.equal((await guestExec(dom, ['cat', '/root/note'])).stdout, 'hello guest\n');
  });

  it('powers off on the agent\'s guest-shutdown too (the guest\'s /sbin/shutdown)', async () => {
    virsh('shutdown', dom, '--mode', 'agent');
    assert.equal(await domstateBecomes(dom, 'shut off'), 'shut off (shutdown)');
  });

  it('a kernel panic reaches libvirt through pvpanic: shut off (crashed) with on_crash destroy', async () => {
    if (virsh('domstate', dom).trim() !== 'shut off') virsh('destroy', dom); // independent of the test before
    virsh('start', dom);
    await waitForGuest(dom);
    const r = await guestExec(dom, ['sh', '-c', '(sleep 0.3; echo c > /proc/sysrq-trigger) </dev/null >/dev/null 2>&1 &']);
    assert.equal(r.exitCode, 0);
    assert.equal(await domstateBecomes(dom, 'shut off'), 'shut off (crashed)');
  });
});
