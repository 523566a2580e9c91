/**
 * exec terminals inside the extension host: the driver runs in a real terminal pty per clone record; the commands
 * write what they saw to files that the test checks (the terminal's text is not readable through the API).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startExec, describeReports } from '../../src/extension/terminal/exec';
import type { ExecRecord } from '../../src/extension/terminal/driver';

const rec = (id: number, name: string, disks: string[]): ExecRecord => ({
  id,
  name,
  uuid: `3f1e2d3c-0000-4000-8000-00000000000${id}`,
  disks,
});

/** Writes uuid, name and disks of each run to OUT/<id>.* and appends the name to OUT/order. */
const RECORDING = `printf '%s' "$uuid" > "$OUT/$uuid.uuid"; printf '%s' "$name" > "$OUT/$uuid.name"; ` +
  `printf '%s' "$disks" > "$OUT/$uuid.disks"; printf '%s\\n' "$name" >> "$OUT/order"`;

describe('exec terminals (driver in a real pty)', () => {
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-exec-test-'));
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  const cmd = (c: string) => `OUT='${out}'; ${c}`;

  it('runs once per clone in order, with uuid, name and disks in the environment', async () => {
    const records = [rec(1, 'alpha', ['/a/1.qcow2', '/a/2.qcow2']), rec(2, 'beta', ['/b.qcow2']), rec(3, 'gamma', [])];
    const uri = 'qemu:///system?qq2clone-test';
    const session = startExec(records, cmd(`${RECORDING}; printf '%s' "$LIBVIRT_DEFAULT_URI" > "$OUT/uri"`), { waitForKey: false, uri });
    assert.equal(session.terminals.length, 1);
    const [report] = await session.done;
    assert.deepEqual(report!.summary, { ran: 3, total: 3, status: 0 });
    assert.equal(report!.failed, undefined);
    assert.equal(fs.readFileSync(path.join(out, 'order'), 'utf8'), 'alpha\nbeta\ngamma\n');
    for (const r of records) {
      assert.equal(fs.readFileSync(path.join(out, `${r.uuid}.uuid`), 'utf8'), r.uuid);
      assert.equal(fs.readFileSync(path.join(out, `${r.uuid}.name`), 'utf8'), r.name);
      assert.equal(fs.readFileSync(path.join(out, `${r.uuid}.disks`), 'utf8'), r.disks.join('\n'));
    }
    assert.equal(fs.readFileSync(path.join(out, 'uri'), 'utf8'), uri);
    assert.match(describeReports([report!]).message, /3 of 3 clones, every run exited 0/);
  });

  it('runs the command on a real terminal: stdin and stdout are ttys, in both modes', async () => {
    // Tested before any redirection: the answer is about the command's own stdin and stdout.
    const probe = `t=not-a-tty; [ -t 0 ] && [ -t 1 ] && t=tty; printf '%s\\n' "$t" > "$OUT/$name.t"; tty > "$OUT/$name.dev"`;
    for (const parallel of [false, true]) {
      const records = [rec(1, `seq${parallel ? 'p' : ''}1`, []), rec(2, `seq${parallel ? 'p' : ''}2`, [])];
      const session = startExec(records, cmd(probe), { parallel, waitForKey: false });
      const reports = await session.done;
      assert.deepEqual(reports.map((r) => r.summary?.status), parallel ? [0, 0] : [0]);
      for (const r of records) {
        assert.equal(fs.readFileSync(path.join(out, `${r.name}.t`), 'utf8'), 'tty\n', `${r.name} (parallel: ${parallel})`);
        assert.match(fs.readFileSync(path.join(out, `${r.name}.dev`), 'utf8'), /^\/dev\/pts\/\d+\n$/);
      }
      for (const t of session.terminals) t.dispose();
    }
  });

  it('stops at a failing middle clone and reports which one and its status', async () => {
    const records = [rec(1, 'one', []), rec(2, 'two', []), rec(3, 'three', [])];
    const session = startExec(records, cmd(`echo "$name" >> "$OUT/ran"; [ "$name" != two ] || exit 42`), { waitForKey: false });
    const [report] = await session.done;
    assert.deepEqual(report!.summary, { ran: 2, total: 3, status: 42 });
    assert.equal(report!.failed?.name, 'two');
    assert.equal(fs.readFileSync(path.join(out, 'ran'), 'utf8'), 'one\ntwo\n');
    const { ok, message } = describeReports([report!]);
    assert.equal(ok, false);
    assert.match(message, /clone 2 \(two\) exited with status 42; 1 of 3 succeeded, 1 not run/);
  });

  it('passes a name with a space, quotes and $ as data', async () => {
    const nasty = `it's a "vm" $(touch '${out}/pwned') $HOME`;
    const session = startExec([rec(1, nasty, ['/x y/z.qcow2'])], cmd(RECORDING), { waitForKey: false });
    const [report] = await session.done;
    assert.equal(report!.summary?.status, 0);
    assert.equal(fs.readFileSync(path.join(out, `${rec(1, '', []).uuid}.name`), 'utf8'), nasty);
    assert.equal(fs.existsSync(path.join(out, 'pwned')), false);
  });

  it('parallel mode opens one terminal per clone, named after it, all running at once', async () => {
    const records = [rec(1, 'p-one', []), rec(2, 'p-two', []), rec(3, 'p-three', [])];
    // Each run waits until all three have started: only possible when they run at the same time.
    const barrier = `touch "$OUT/started.$name"; for i in $(seq 100); do [ $(ls "$OUT" | grep -c '^started') -ge 3 ] && break; sleep 0.1; done; ` +
      `[ $(ls "$OUT" | grep -c '^started') -ge 3 ] && printf '%s' "$uuid" > "$OUT/$name"`;
    const session = startExec(records, cmd(barrier), { parallel: true, waitForKey: false });
    assert.equal(session.terminals.length, 3);
    assert.deepEqual(session.terminals.map((t) => t.name), ['qq2clone: p-one', 'qq2clone: p-two', 'qq2clone: p-three']);
    for (const t of session.terminals) assert.ok(vscode.window.terminals.includes(t));
    const reports = await session.done;
    assert.deepEqual(reports.map((r) => r.summary), records.map(() => ({ ran: 1, total: 1, status: 0 })));
    for (const r of records) assert.equal(fs.readFileSync(path.join(out, r.name), 'utf8'), r.uuid);
    for (const t of session.terminals) t.dispose();
  });

  it('a terminal closed before the run finished is reported as such', async () => {
    const session = startExec([rec(1, 'slow', [])], cmd('sleep 30'), { waitForKey: false });
    await new Promise((r) => setTimeout(r, 500));
    session.terminals[0]!.dispose();
    const [report] = await session.done;
    assert.equal(report!.summary, undefined);
    assert.match(describeReports([report!]).message, /1 terminal closed before finishing/);
  });
});
