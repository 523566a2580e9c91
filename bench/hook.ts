/**
 * What the qemu hook adds to a domain start (not a test): `npx tsx bench/hook.ts [--rounds 200]`.
 *
 * libvirt runs each hook with the domain XML on stdin and waits for it. A start calls the qemu hooks three times
 * (prepare begin, start begin, started begin). This runs the installed script (from hookScript(), in a temporary
 * state directory) directly, as libvirt does (fork+exec, XML on stdin, stdout and stderr read), with a start's
 * argv, against a baseline measured in the same run: the same spawn of `true` (what any process costs libvirt).
 * Also the release call of one of our clones with a policy (it starts the detached worker and returns; the worker
 * here is a stand-in that exits at once) and of a domain that is not ours. Prints medians and the added time.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { hookScript } from '../src/libvirt/policy';

const argv = process.argv.slice(2);
const i = argv.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(argv[i + 1]) : 200;
const LIBVIRT_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(cmd: string, args: string[], input: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { input, env: LIBVIRT_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  const t = performance.now() - t0;
  if (r.status !== 0 || r.stdout.length || r.stderr.length) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status} ${r.stderr}`);
  return t;
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-bench-hook-'));
  try {
    const state = path.join(dir, 'state');
    fs.mkdirSync(path.join(state, 'queue'), { recursive: true });
    fs.writeFileSync(path.join(state, 'hook-worker.js'), 'require("fs").rmSync(process.argv[2], { force: true });\n');
    const hook = path.join(dir, 'hook');
    fs.writeFileSync(hook, hookScript({ stateDir: state, node: process.execPath, uri: 'qemu:///system', templateDir: dir }), { mode: 0o755 });
    const ours = fs.readFileSync(path.join(__dirname, '../test/fixtures/virsh/dumpxml-live-policy.xml'), 'utf8');
    const foreign = ours.replace(/<metadata>[\s\S]*<\/metadata>/, '');
    const start = [['prepare', 'begin', '-'], ['start', 'begin', '-'], ['started', 'begin', '-']];
    const base: number[] = [];
    const hookStart: number[] = [];
    const releaseOurs: number[] = [];
    const releaseForeign: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let b = 0;
      let h = 0;
      for (const op of start) {
        b += time('/bin/true', ['dom', ...op], ours);
        h += time(hook, ['dom', ...op], ours);
      }
      base.push(b);
      hookStart.push(h);
      releaseOurs.push(time(hook, ['dom', 'release', 'end', '-'], ours));
      releaseForeign.push(time(hook, ['dom', 'release', 'end', '-'], foreign));
    }
    const f = (ms: number) => `${ms.toFixed(2)} ms`;
    console.log(`qemu hook cost, median of ${ROUNDS} rounds (each: the three calls of a start), run as libvirt runs it`);
    console.log(`  baseline, spawning /bin/true three times:     ${f(median(base))}`);
    console.log(`  the hook at prepare, start, started:          ${f(median(hookStart))}`);
    console.log(`  added to a domain start by the hook:          ${f(median(hookStart) - median(base))} (${(median(hookStart) / median(base)).toFixed(2)}x the bare spawns)`);
    console.log(`  release of our clone with a policy (returns after starting the worker): ${f(median(releaseOurs))}`);
    console.log(`  release of a domain that is not ours:         ${f(median(releaseForeign))}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
