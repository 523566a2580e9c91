/**
 * Power-off policy `revert` on the real test guest, with the hook and the CLI only (no extension): a clone with a
 * snapshot taken while it ran goes back to it after a power-off from inside (the hook run as the daemon runs it at
 * a stop, the real worker): running again, a file written before the snapshot there, one written after gone.
 * And reset of a clone with snapshots is refused unless the user chooses to drop them.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { guestExec, waitForGuest } from '../guest';
import { TestBed, virsh, domstateBecomes, pollUntil } from '../testbed';
import { PolicyBed } from './policyBed';

const sha256 = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('power-off policy revert on the real test guest (hook and CLI, no extension)', function () {
  this.timeout(900_000);
  let pb: PolicyBed;
  let bed: TestBed;
  let tpl: { name: string; disk: string };
  let tplSum: string;
  const q = (...args: string[]) => pb.q(...args);
  const ok = (...args: string[]): string => pb.ok(...args);
  const hookEntries = () => pb.hookEntries();
  const runHookAtStop = (name: string, liveXml: string): void => pb.runHookAtStop(name, liveXml);

  before(async () => {
    pb = await PolicyBed.make('polrev');
    bed = pb.bed;
    tpl = bed.makeGuestTemplate(path.join(bed.root, 'templates'), 'g');
    tplSum = sha256(tpl.disk);
    ok('hook', 'install');
  });
  after(() => {
    if (pb && fs.existsSync(pb.cliJs)) q('hook', 'uninstall');
    bed?.cleanup();
  });
  afterEach(() => assert.equal(sha256(tpl.disk), tplSum, 'the template image is unchanged'));

  it('a clone powered off from inside goes back to its snapshot: running again, the file from before there, the later one gone', async () => {
    ok('-n', '-t', tpl.name, 'clone', '1');
    const dom = `${tpl.name}-1`;
    virsh('start', dom);
    await waitForGuest(dom);
    assert.equal((await guestExec(dom, ['sh', '-c', 'echo before > /root/before && sync'])).exitCode, 0);
    ok('-t', tpl.name, 'snapshot', '1', 'create', 'base');
    ok('-t', tpl.name, 'policy', '1', 'revert', 'base');
    assert.match(ok('-t', tpl.name, 'policy', '1'), /revert to base on shutdown,destroyed/);
    assert.equal((await guestExec(dom, ['sh', '-c', 'echo after > /root/after && sync'])).exitCode, 0);
    const live = virsh('dumpxml', dom);
    const uuid = virsh('domuuid', dom).trim();
    await guestExec(dom, ['poweroff']).catch(() => undefined);
    assert.equal(await domstateBecomes(dom, /^shut off/), 'shut off (shutdown)');
    runHookAtStop(dom, live);
    const e = await pollUntil('the revert', () => hookEntries().find((x) => x.uuid === uuid), 300_000);
    assert.deepEqual([e.action, e.detail, e.reason, e.by], ['reverted', 'to snapshot base', 'shutdown', 'hook'], JSON.stringify(e));
    assert.match(virsh('domstate', dom), /^running/);
    await waitForGuest(dom);
    const seen = await guestExec(dom, ['sh', '-c', 'cat /root/before; test -e /root/after && echo after-is-there']);
    assert.equal(seen.stdout, 'before\n');
    virsh('destroy', dom);
  });

  it('reset of a clone with snapshots is refused with the reason; with --drop-snapshots its snapshots are deleted and reset is set', () => {
    const refused = q('-t', tpl.name, 'policy', '1', 'reset');
    assert.equal(refused.code, 12, refused.stderr);
    assert.match(refused.stderr, /reset is refused: it has snapshots, which live in the overlays that reset would make afresh/);
    assert.match(ok('-t', tpl.name, 'policy', '1'), /revert to base/);
    const out = ok('-t', tpl.name, 'policy', '1', 'reset', '--drop-snapshots');
    assert.match(out, /dropped snapshot base/);
    assert.equal(virsh('snapshot-list', '--name', `${tpl.name}-1`).trim(), '');
    assert.match(ok('-t', tpl.name, 'policy', '1'), /reset on shutdown,destroyed/);
  });
});
