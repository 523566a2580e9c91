/**
 * The running-guest commands in the extension host on three real clones of the test guest (booted once): the
 * tree's addresses from the agent, Run in Guests with one failing clone (in order, stopping; in parallel, all),
 * Open SSH Terminal through the forwarded 127.0.0.1 port (its command line run with a command), Reboot and Reset,
 * Shut Down's timeout path with Force Off offered for exactly the clone still running, and a clean Shut Down.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { guestExec, waitForGuest } from '../guest';
import { bootAll } from '../guest/bootAll';
import type { CloneNode } from '../../src/extension/tree/model';
import type { GuestRunResult } from '../../src/libvirt/guests/run';
import type { PowerResult } from '../../src/libvirt/guests/power';
import { virsh } from '../testbed';
import { CloneBed } from './util/cloneBed';
import { waitFor } from './util/extension';
import { guestTemplate, type GuestFiles } from './util/guestTemplate';

const uptime = async (dom: string): Promise<number> => Number((await guestExec(dom, ['cat', '/proc/uptime'])).stdout.split(' ')[0]);

describe('running guests in the extension host (real guests)', function () {
  this.timeout(900_000);
  let b: CloneBed;
  let guest: GuestFiles;
  let names: string[];
  const run = <T>(command: string, ...args: unknown[]): Thenable<T> => vscode.commands.executeCommand<T>(command, ...args);
  const nodes = (...ids: number[]): CloneNode[] => ids.map((id) => b.cloneNode(id));

  before(async () => {
    b = await CloneBed.open('xguests', (bed, dir) => {
      const t = guestTemplate(bed, dir, 'g');
      guest = t.guest;
      return t;
    });
    await b.set('runAfterClone', true);
    await b.makeClones(3);
    names = [1, 2, 3].map((id) => b.cloneNode(id).clone.name);
    await bootAll(names);
    await run('qq2clone.refresh');
  });
  after(async () => b?.close());

  it('a running clone shows its address from the agent in its description and tooltip', async () => {
    const node = await waitFor('clone 1 with an address', () => {
      const d = String(b.api.tree.treeItem(b.cloneNode(1)).description ?? '');
      return d.includes('10.0.2.15') ? b.cloneNode(1) : undefined;
    }, 90_000);
    assert.match(String(b.api.tree.treeItem(node).description), /^running · 10\.0\.2\.15$/);
    assert.match(await b.api.tree.tooltip(node), /- Addresses \(agent\): `10\.0\.2\.15`/);
  });

  it('Run in Guests: in order it stops at the failing clone 2; in parallel with keep going all three run', async () => {
    await guestExec(names[1]!, ['sh', '-c', 'echo 1 > /tmp/fail']);
    const command = 'echo "hi $((6*7))"; [ "$(cat /tmp/fail 2>/dev/null)" != 1 ] || exit 5';
    const seq = await run<{ result: GuestRunResult; text: string }>('qq2clone.runInGuests', b.cloneNode(1), nodes(1, 2, 3), { command });
    assert.equal(seq.result.firstFailure?.clone.id, 2);
    assert.deepEqual(seq.result.notRun.map((c) => c.id), [3]);
    assert.match(seq.text, new RegExp(`== 1 \\(${names[0]}\\): exit 0 [^\\n]*\\n(\\x1b\\[0m)?hi 42\\n`));
    assert.match(seq.text, new RegExp(`== 2 \\(${names[1]}\\): exit 5 `));
    assert.doesNotMatch(seq.text, /== 3 /);
    assert.match(seq.text, /Run in Guests: 2 ran \(1 failed: 2\), 1 not run \(3\)\./);
    assert.match(b.noticesText(), /First failure: clone 2/);
    const par = await run<{ result: GuestRunResult; text: string }>('qq2clone.runInGuests', { set: 'all' }, undefined, { command, parallel: 3, keepGoing: true });
    assert.equal(par.result.outcomes.length, 3);
    assert.equal(par.text.match(/hi 42/g)?.length, 3);
    assert.match(par.text, /3 ran \(1 failed: 2\)/);
    await guestExec(names[1]!, ['rm', '/tmp/fail']);
  });

  it('Open SSH Terminal connects through a forwarded 127.0.0.1 port with the host key learned through the agent', async () => {
    await b.set('ssh.user', 'root');
    await b.set('ssh.identityFile', guest.clientKey);
    await b.set('ssh.options', ['-o', 'BatchMode=yes']);
    const r = await run<{ terminal: vscode.Terminal; line: { command: string; args: string[] }; target: { host: string; port: number; via: string }; learned: number }>(
      'qq2clone.openSsh',
      b.cloneNode(1),
    );
    assert.equal(r.target.host, '127.0.0.1');
    assert.equal(r.target.via, 'forward');
    assert.equal(r.learned, 1);
    assert.ok(vscode.window.terminals.includes(r.terminal));
    const uuid = b.cloneNode(1).clone.uuid;
    const known = r.line.args.find((a) => a.startsWith('UserKnownHostsFile='))!.slice('UserKnownHostsFile='.length);
    assert.ok(fs.readFileSync(known, 'utf8').split('\n').includes(`${uuid} ${guest.hostKeyPub}`));
    // The same command line with a command: the guest answers through the forward.
    const out = spawnSync(r.line.command, [...r.line.args, 'cat', '/etc/hostname'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout, 'qq2clone-guest\n');
    r.terminal.dispose();
    await waitFor('the forward in the tooltip', async () => ((await b.api.tree.tooltip(b.cloneNode(1))).includes(`127.0.0.1:${r.target.port}`) ? true : undefined), 30_000);
  });

  it('Reboot and Reset restart the guests', async () => {
    const before1 = await uptime(names[0]!);
    const before2 = await uptime(names[1]!);
    const rb = await run<PowerResult>('qq2clone.reboot', b.cloneNode(1));
    assert.deepEqual(rb.done.map((c) => c.id), [1]);
    const from = b.confirms.length;
    const rs = await run<PowerResult>('qq2clone.reset', { set: '2' });
    assert.deepEqual(rs.done.map((c) => c.id), [2]);
    assert.equal(b.confirms.length, from + 1, 'Reset asks first');
    await new Promise((r) => setTimeout(r, 3000));
    await Promise.all([waitForGuest(names[0]!, 420_000), waitForGuest(names[1]!, 420_000)]);
    assert.ok((await uptime(names[0]!)) < before1 + 3);
    assert.ok((await uptime(names[1]!)) < before2 + 3);
    assert.equal(virsh('domstate', '--reason', names[0]!).trim(), 'running (booted)');
  });

  it('Shut Down of a guest ignoring ACPI and its agent: "shutting down" while waiting, then Force Off offered for it alone', async () => {
    await guestExec(names[2]!, ['sh', '-c', 'killall acpid; mv /sbin/shutdown /sbin/shutdown.off; true']);
    await b.set('shutdownTimeout', 5);
    const offered: string[] = [];
    const notify = b.api.prompts.notify;
    b.api.prompts.notify = (severity, message, ...actions) => {
      if (actions.includes('Force Off')) {
        offered.push(message);
        return Promise.resolve('Force Off');
      }
      return notify(severity, message, ...actions);
    };
    const labels = new Set<string>();
    const uuid = b.cloneNode(3).clone.uuid;
    const watch = setInterval(() => {
      const l = b.api.tree.busy.label(uuid);
      if (l) labels.add(l);
    }, 50);
    try {
      const r = await run<PowerResult>('qq2clone.shutdown', b.cloneNode(3));
      assert.deepEqual(r.stillRunning.map((c) => c.id), [3]);
    } finally {
      clearInterval(watch);
      b.api.prompts.notify = notify;
    }
    assert.ok(labels.has('shutting down'), `busy labels seen: ${[...labels].join(', ')}`);
    assert.equal(offered.length, 1);
    assert.match(offered[0]!, new RegExp(`^Still running after 5 s: 3 \\(${names[2]}\\)\\.`));
    assert.equal(virsh('domstate', '--reason', names[2]!).trim(), 'shut off (destroyed)');
  });

  it('Shut Down on a SET shuts the guests down cleanly', async () => {
    await b.set('shutdownTimeout', 90);
    await run('qq2clone.refresh');
    const r = await run<PowerResult>('qq2clone.shutdown', { set: '1,2' });
    assert.deepEqual(r.done.map((c) => c.id).sort(), [1, 2]);
    assert.deepEqual(r.stillRunning, []);
    for (const n of names.slice(0, 2)) assert.equal(virsh('domstate', '--reason', n).trim(), 'shut off (shutdown)');
  });
});
