// The exec driver run directly by bash (no terminal): per-clone environment, stop on failure, hostile names, stdin.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { driverInvocation, readSummary, writeRecords, type ExecRecord } from '../../src/extension/terminal/driver';

let dir: string;

function runDriver(records: ExecRecord[], command: string, input = '') {
  const recordsFile = path.join(dir, 'records');
  const summaryFile = path.join(dir, 'summary');
  writeRecords(recordsFile, records);
  const inv = driverInvocation(recordsFile, summaryFile, records.length, command, false);
  const r = spawnSync(inv.shellPath, inv.shellArgs, {
    cwd: dir,
    env: { ...process.env, ...inv.env, OUT: dir },
    input,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, summary: readSummary(summaryFile) };
}

const clone = (id: number, name: string, disks: string[] = [`/var/tmp/${name}.qcow2`]): ExecRecord => ({
  id,
  name,
  uuid: `00000000-0000-4000-8000-00000000000${id}`,
  disks,
});

const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

describe('exec driver', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-driver-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the command once per clone, in order, with uuid, name and disks set', () => {
    const records = [clone(1, 'a', ['/d/a1.qcow2', '/d/a2.qcow2']), clone(2, 'b'), clone(3, 'c', [])];
    const cmd = `printf '%s' "$uuid" > "$OUT/$name.uuid"; printf '%s' "$disks" > "$OUT/$name.disks"; ` +
      `sh -c 'printf "%s\\n" "$name"' >> "$OUT/order"`;
    const r = runDriver(records, cmd);
    assert.equal(r.status, 0, r.stdout);
    assert.deepEqual(r.summary, { ran: 3, total: 3, status: 0 });
    assert.equal(read('order'), 'a\nb\nc\n'); // exported: a child sh sees $name
    for (const c of records) {
      assert.equal(read(`${c.name}.uuid`), c.uuid);
      assert.equal(read(`${c.name}.disks`), c.disks.join('\n'));
    }
    assert.match(r.stdout, /\[2\/3\] clone 2: b \(00000000-0000-4000-8000-000000000002\)/);
    assert.match(r.stdout, /exec done: 3 of 3 clones/);
  });

  it('stops at the first non-zero status and reports the clone and status', () => {
    const cmd = `echo "$name" >> "$OUT/ran"; [ "$name" != b ] || exit 7`;
    const r = runDriver([clone(1, 'a'), clone(2, 'b'), clone(3, 'c')], cmd);
    assert.equal(r.status, 7);
    assert.deepEqual(r.summary, { ran: 2, total: 3, status: 7 });
    assert.equal(read('ran'), 'a\nb\n');
    assert.match(r.stdout, /clone 2: b failed with exit status 7/);
    assert.match(r.stdout, /exec stopped: 1 succeeded, 1 failed \(status 7\), 1 not run/);
  });

  it('keeps names with spaces, quotes, $ and command substitutions as data', () => {
    const nasty = `it's a "vm" $(touch pwned) \`touch pwned2\` $HOME`;
    const r = runDriver([clone(1, nasty)], `printf '%s' "$name" > "$OUT/name"`);
    assert.equal(r.status, 0, r.stdout);
    assert.equal(read('name'), nasty);
    assert.equal(fs.existsSync(path.join(dir, 'pwned')), false);
    assert.equal(fs.existsSync(path.join(dir, 'pwned2')), false);
  });

  it("does not show the driver's own arguments to the command (\"$1\" is empty, as in qq2clone)", () => {
    const r = runDriver([clone(1, 'a')], `printf '%s|%s|%s|%s' "$#" "$1" "$2" "$3" > "$OUT/args"`);
    assert.equal(r.status, 0, r.stdout);
    assert.equal(read('args'), '0|||');
    assert.deepEqual(r.summary, { ran: 1, total: 1, status: 0 });
  });

  it('gives the command the terminal as stdin, not the records', () => {
    const r = runDriver([clone(1, 'a'), clone(2, 'b')], `IFS= read -r line; printf '%s\\n' "$name:$line" >> "$OUT/in"`, 'x\ny\n');
    assert.equal(r.status, 0, r.stdout);
    assert.equal(read('in'), 'a:x\nb:y\n');
  });

  it('isolates each run: exit, cd and variables do not leak into the next clone or the driver', () => {
    const cmd = `echo "$name:$PWD:\${seen-}" >> "$OUT/log"; seen=1; cd /; exit 0`;
    const r = runDriver([clone(1, 'a'), clone(2, 'b')], cmd);
    assert.equal(r.status, 0, r.stdout);
    assert.equal(read('log'), `a:${dir}:\nb:${dir}:\n`);
    assert.deepEqual(r.summary, { ran: 2, total: 2, status: 0 });
  });

  it('refuses a NUL byte inside a value', () => {
    assert.throws(() => writeRecords(path.join(dir, 'r'), [clone(1, 'a\0b')]), /NUL/);
  });
});
