/**
 * Commands through the guest agent on the real test guest (one boot): non-ASCII text and DEL reach the guest
 * exactly (the JSON on the session line carries no raw control character), and waiting for a guest process ends:
 * a process that never exits, or an agent that stopped answering, fails within the timeout with an error that says
 * so, and the guest process is ended.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { guestExecArgv, guestShell, GuestExecTimeoutError, type VirshCall } from '../../src/libvirt/guests/agent';
import { VirshSession } from '../../src/libvirt/virsh/session';
import { ensureGuest, guestDomainXml, guestExec, waitForGuest } from '../guest';
import { TestBed, TEST_URI, qemuImg, virsh } from '../testbed';

/** Fails with "still waiting" when `p` has not settled after `ms` (today's code waited for ever). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}

describe('guest agent commands: exact text, and a wait that ends', function () {
  this.timeout(1_200_000);
  let bed: TestBed;
  let dom: string;
  let uuid: string;
  let s: VirshSession;
  let virshCall: VirshCall;

  before(async () => {
    bed = new TestBed('gexec');
    dom = `${bed.prefix}-g`;
    const disk = path.join(bed.root, 'g.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', ensureGuest().rootImage, '-F', 'qcow2', disk);
    const xml = path.join(bed.root, 'g.xml');
    fs.writeFileSync(xml, guestDomainXml({ name: dom, disk }));
    virsh('define', xml);
    uuid = virsh('domuuid', dom).trim();
    virsh('start', dom);
    await waitForGuest(dom, 900_000);
    s = new VirshSession(TEST_URI);
    virshCall = (args, signal) => s.run(args, signal);
  });
  after(() => {
    s?.close();
    bed?.cleanup();
  });

  it('passes non-ASCII text and DEL to the guest exactly, in arguments and in a shell command', async () => {
    const word = 'café naïve 東京 🙂 \x7f end';
    const a = await guestExecArgv(virshCall, uuid, ['/bin/sh', '-c', 'printf %s "$1"', 'sh', word]);
    assert.equal(a.exitCode, 0);
    assert.equal(a.stdout, word);
    const b = await guestShell(virshCall, uuid, `printf '%s|' 'Grüße' "$(printf 'x\\177y')" && echo ü > /root/ü && cat /root/ü`);
    assert.equal(b.stdout, 'Grüße|x\x7fy|ü\n');
    assert.deepEqual(s.unsolicited, []);
  });

  it('ends a guest process that does not finish in time: a timeout error, and the process is gone', async () => {
    const t0 = Date.now();
    await assert.rejects(
      within(guestShell(virshCall, uuid, 'echo $$ > /tmp/hang.pid; exec sleep 100000', undefined, 3000), 60_000, 'guestShell'),
      (e: unknown) => {
        assert.equal((e as Error).name, 'GuestExecTimeoutError', String(e));
        assert.ok(e instanceof GuestExecTimeoutError);
        assert.match(e.message, /^The command in the guest did not finish within 3 s: it was ended\. /);
        return true;
      },
    );
    assert.ok(Date.now() - t0 < 60_000);
    const pid = (await guestExec(dom, ['cat', '/tmp/hang.pid'])).stdout.trim();
    const alive = await guestExec(dom, ['sh', '-c', `test -d /proc/${pid} && cat /proc/${pid}/stat || echo gone`]);
    assert.match(alive.stdout, /^gone\n$|^\d+ \(sleep\) Z/, `the guest process ${pid} was ended`);
  });

  it('fails with the timeout error, not the agent\'s own later one, when the agent stops answering', async () => {
    // qemu-ga stopped (SIGSTOP), the channel still connected: libvirt waits on it.
    await guestExec(dom, ['sh', '-c', 'kill -STOP $(pidof qemu-ga)']).catch(() => undefined);
    try {
      await assert.rejects(within(guestShell(virshCall, uuid, 'true', undefined, 5000), 120_000, 'guestShell'), (e: unknown) => {
        // Not virsh's own agent timeout (10 s, "Guest agent is not responding"): ours, which is shorter.
        assert.equal((e as Error).name, 'GuestExecTimeoutError', String(e));
        assert.match((e as Error).message, /^The command in the guest did not finish within 5 s: it was ended\. .*restart qemu-guest-agent/);
        return true;
      });
    } finally {
      // The stopped agent cannot be woken through itself: the guest is destroyed (the bed removes it).
      virsh('destroy', dom);
    }
  });
});
