/**
 * What the power-off policy tests share: a test bed with the CLI and the hook's worker built into it, a hooks
 * directory and hook state of its own (the running daemon does not use them), and the hook run as libvirt runs it
 * at the end of a stop.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { HOOK_FILE_NAME, parsePolicyLog, type PolicyLogEntry } from '../../src/libvirt/policy';
import { TestBed, TEST_URI } from '../testbed';

/** The PATH libvirt gives its hooks. */
const LIBVIRT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class PolicyBed {
  readonly cliJs: string;
  readonly hooksDir: string;
  readonly stateDir: string;

  private constructor(readonly bed: TestBed) {
    this.cliJs = path.join(bed.root, 'cli.js');
    this.hooksDir = path.join(bed.root, 'hooks');
    this.stateDir = path.join(bed.root, 'hook-state');
  }

  /** A test bed named by `tag` with the CLI and the hook's worker built into it. */
  static async make(tag: string): Promise<PolicyBed> {
    const p = new PolicyBed(new TestBed(tag));
    const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' } as const;
    await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: p.cliJs });
    await build({ ...common, entryPoints: ['src/libvirt/policy/worker.ts'], outfile: path.join(p.bed.root, 'hook-worker.js') });
    return p;
  }

  /** The CLI's environment: this bed's home, hooks directory and hook state. */
  env(): NodeJS.ProcessEnv {
    return { ...process.env, QQ2CLONE_HOME: this.bed.root, LIBVIRT_DEFAULT_URI: TEST_URI, QQ2CLONE_HOOKS_DIR: this.hooksDir, QQ2CLONE_HOOK_STATE: this.stateDir };
  }

  /** Runs the CLI. */
  q(...args: string[]): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [this.cliJs, ...args], { encoding: 'utf8', env: this.env(), timeout: 300_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs the CLI and asserts it succeeded; its output. */
  ok(...args: string[]): string {
    const r = this.q(...args);
    assert.equal(r.code, 0, `qq2clone ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** The hook's action log so far. */
  hookEntries(): PolicyLogEntry[] {
    const log = path.join(this.stateDir, 'actions.log');
    return parsePolicyLog(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
  }

  /** What libvirt does at the end of a stop: the hook's stopped and release calls with the domain's live XML. */
  runHookAtStop(name: string, liveXml: string): void {
    const hook = path.join(this.hooksDir, 'qemu.d', HOOK_FILE_NAME);
    for (const op of [['stopped', 'end', '-'], ['release', 'end', '-']]) {
      const r = spawnSync(hook, [name, ...op], { input: liveXml, encoding: 'utf8', env: { PATH: LIBVIRT_PATH }, timeout: 5000 });
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', ''], `hook ${op.join(' ')} of ${name}`);
    }
  }
}
