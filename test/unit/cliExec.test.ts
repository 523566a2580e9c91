/** The exec runner with real bash (no libvirt needed): order, environment, stop at failure, no splicing. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execEach, type ExecTarget } from '../../src/libvirt/process/exec';
import { CancelledError } from '../../src/core/errors';

describe('exec runner', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-exec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const target = (name: string, uuid: string, disks: string[]): ExecTarget => ({ name, uuid, disks: async () => disks });

  it('runs once per target in order with uuid, name and newline-separated disks in the environment', async () => {
    const out = path.join(dir, 'out');
    const targets = [target('one', 'u-1', ['/a.qcow2', '/b.qcow2']), target('two', 'u-2', ['/c.qcow2'])];
    const failure = await execEach(`printf '%s|%s|%s|%s\\n' "$name" "$uuid" "$disks" "$EXTRA" >> '${out}'`, targets, {
      stdio: 'ignore',
      env: { EXTRA: 'x' },
    });
    assert.equal(failure, undefined);
    assert.equal(fs.readFileSync(out, 'utf8'), 'one|u-1|/a.qcow2\n/b.qcow2|x\ntwo|u-2|/c.qcow2|x\n');
  });

  it('never splices values into the command text', async () => {
    const marker = path.join(dir, 'injected');
    const evil = `$(touch '${marker}')\`touch '${marker}'\`;touch '${marker}'`;
    const out = path.join(dir, 'name');
    const failure = await execEach(`printf '%s' "$name" > '${out}'`, [target(evil, 'u', [])], { stdio: 'ignore' });
    assert.equal(failure, undefined);
    assert.equal(fs.readFileSync(out, 'utf8'), evil);
    assert.equal(fs.existsSync(marker), false);
  });

  it('stops at the first non-zero exit and reports which and how', async () => {
    const ran = path.join(dir, 'ran');
    const targets = ['a', 'b', 'c'].map((n) => target(n, n, []));
    const failure = await execEach(`echo "$name" >> '${ran}'; [ "$name" != b ] || exit 7`, targets, { stdio: 'ignore' });
    assert.equal(failure?.index, 1);
    assert.equal(failure?.exitCode, 7);
    assert.equal(failure?.target.name, 'b');
    assert.equal(fs.readFileSync(ran, 'utf8'), 'a\nb\n');
  });

  // Without the kill, the 30 s sleep would outlast mocha's timeout and fail the test.
  it('cancelling kills the running command and runs no more', async () => {
    const ran = path.join(dir, 'ran');
    const abort = new AbortController();
    const p = execEach(`echo "$name" >> '${ran}'; sleep 30`, ['a', 'b'].map((n) => target(n, n, [])), {
      stdio: 'ignore',
      signal: abort.signal,
      onStart: () => setTimeout(() => abort.abort(), 200),
    });
    await assert.rejects(p, CancelledError);
    assert.equal(fs.readFileSync(ran, 'utf8'), 'a\n');
  });
});
