/**
 * The test tiers cannot pass by accident: a `.only` left in a test file fails every tier (mocha's forbidOnly) instead
 * of silently skipping the rest, and a tier that skipped tests says so, with their titles, in the summary line of
 * scripts/test-all.sh (scripts/tier-summary.sh). Real mocha runs on throw-away test files.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeMocha } from '../suite';

const REPO = path.resolve(__dirname, '../..');
const MOCHA = path.join(REPO, 'node_modules/.bin/mocha');

/** Runs mocha with a tier's configuration, its spec replaced by one throw-away file with `body`. */
function runWithConfig(config: string, body: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-mocharc-'));
  try {
    fs.writeFileSync(path.join(dir, 'probe.test.js'), body);
    const c = JSON.parse(fs.readFileSync(path.join(REPO, config), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'rc.json'), JSON.stringify({ ...c, spec: [path.join(dir, 'probe.test.js')] }));
    const r = spawnSync(MOCHA, ['--config', path.join(dir, 'rc.json')], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('test tiers cannot pass by accident', function () {
  this.timeout(60_000);

  for (const config of ['test/unit/.mocharc.json', 'test/libvirt/.mocharc.json']) {
    it(`${config}: a .only fails the run`, () => {
      const r = runWithConfig(config, "it.only('a', () => {});\nit('b', () => {});\n");
      assert.notEqual(r.status, 0, r.output);
      assert.match(r.output, /`\.only` forbidden/);
    });
  }

  it('the extension-host suite: a .only fails the run', () => {
    const mocha = makeMocha();
    const ctx: Record<string, unknown> = {};
    mocha.suite.emit('pre-require', ctx, 'probe', mocha);
    const it = ctx.it as { only(title: string, fn: () => void): void };
    assert.throws(() => it.only('a', () => undefined), /`\.only` forbidden/);
  });

  it('a tier that skips a test says so, with the title, in its summary line', () => {
    const r = runWithConfig(
      'test/unit/.mocharc.json',
      "it('runs', () => {});\nit.skip('needs a thing (skipped: the thing is missing)', () => {});\n",
    );
    assert.equal(r.status, 0, r.output);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-tier-'));
    try {
      fs.writeFileSync(path.join(dir, 'tier.log'), r.output);
      const s = spawnSync('bash', [path.join(REPO, 'scripts/tier-summary.sh'), path.join(dir, 'tier.log')], { encoding: 'utf8' });
      assert.equal(s.status, 0, s.stderr);
      assert.equal(s.stdout, '1 passing, 1 pending; skipped: needs a thing (skipped: the thing is missing)\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a tier without mocha is summed up by its own summary line, and by nothing when it has none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-tier-'));
    try {
      const summary = (log: string): string => {
        fs.writeFileSync(path.join(dir, 'tier.log'), log);
        return spawnSync('bash', [path.join(REPO, 'scripts/tier-summary.sh'), path.join(dir, 'tier.log')], { encoding: 'utf8' }).stdout;
      };
      assert.equal(summary('\u001b[32m✔\u001b[39m no dependency violations found\nsummary: typecheck, lint and the import-cycle check passed\n'), 'typecheck, lint and the import-cycle check passed\n');
      assert.equal(summary('src/a.ts(1,1): error TS2304: Cannot find name x.\n'), 'no summary found\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a failure's diff lines are not read as skipped tests", () => {
    const r = runWithConfig('test/unit/.mocharc.json', "it('compares', () => { require('node:assert/strict').deepEqual(['a', 'locks'], ['a']); });\n");
    assert.notEqual(r.status, 0);
    assert.match(r.output, /^\s+-\s+"locks"$/m, 'the diff has an indented "- ..." line');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-tier-'));
    try {
      fs.writeFileSync(path.join(dir, 'tier.log'), r.output);
      const s = spawnSync('bash', [path.join(REPO, 'scripts/tier-summary.sh'), path.join(dir, 'tier.log')], { encoding: 'utf8' });
      assert.equal(s.stdout, '0 passing, 1 failing\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

