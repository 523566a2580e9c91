/**
 * CLI start-up benchmark (not a test): `npx tsx bench/cli-start.ts [--runs 15] [--clones 100] [--node PATH]
 * [--cli dist/cli.js] [--no-build] [--cpu-prof DIR]`.
 *
 * In one run, on the real daemon, with the CLI as users start it (dist/cli.js, built first unless --no-build):
 *   - `qq2clone -h` and `qq2clone -t T list` (T has --clones clones) against `node -e 0`, each run --runs times,
 *     the three interleaved so that the machine's load falls on all of them alike; medians compared;
 *   - `qq2clone clone N` and `qq2clone rm all` against the service in-process doing the same (clone(T, N), then
 *     run('rm', all)), service first, then the CLI, twice, the better of each compared.
 * --node runs the CLI and `node -e 0` with another Node (e.g. one with module.enableCompileCache); --cpu-prof writes
 * V8 CPU profiles of one `list` and one `rm all` run into DIR (open them in Chrome's DevTools). Removes everything
 * it made, also on failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestBed, TEST_URI } from '../test/testbed';
import type { LibvirtService } from '../src/libvirt/api';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const RUNS = Number(arg('--runs', '15'));
const CLONES = Number(arg('--clones', '100'));
const NODE = arg('--node', process.execPath);
const CLI = path.resolve(arg('--cli', 'dist/cli.js'));
const PROFILES = argv.includes('--cpu-prof') ? path.resolve(arg('--cpu-prof', 'bench/results/profiles')) : undefined;

const lines: string[] = [];
function report(line: string): void {
  lines.push(line);
  console.log(line);
}
const ms = (t: number): string => `${t.toFixed(0)} ms`;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs one process to its end; its wall time. Fails with its stderr when it exits non-zero. */
function timedRun(args: readonly string[], env: NodeJS.ProcessEnv, nodeOptions: readonly string[] = []): number {
  const t0 = performance.now();
  const r = spawnSync(NODE, [...nodeOptions, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return t;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

async function main(): Promise<void> {
  if (!argv.includes('--no-build')) execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });
  const bed = new TestBed('clistart');
  let service: LibvirtService | undefined;
  const started = new Date().toISOString();
  try {
    const templateDir = path.join(bed.root, 'templates');
    const storage = path.join(bed.root, 'pool');
    const tpl = bed.makeTemplateFile(templateDir, 'tpl');
    const version = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
    report(`CLI start-up benchmark, ${started}, ${TEST_URI}, Node ${version}, ${path.relative(process.cwd(), CLI)}, template ${tpl.name}`);
    // The CLI's settings: clones not run on creation, the bed's storage (as the service below).
    fs.writeFileSync(path.join(bed.root, 'config.json'), JSON.stringify({ NORUN: '1', STORAGE: storage }));
    const env = { ...process.env, QQ2CLONE_HOME: bed.root, LIBVIRT_DEFAULT_URI: TEST_URI };
    const cli = (...args: string[]): string[] => [CLI, '-t', tpl.name, ...args];

    const { createLibvirtService } = await import('../src/libvirt');
    service = createLibvirtService({ uri: TEST_URI, home: bed.root, templateDir, storage });
    // The first define after a daemon start is slow; neither side should pay it inside its timing.
    await service.run('rm', await service.clone(tpl.name, 1, { run: false }));

    // Start-up: -h, and list with the template's clones, interleaved with bare Node.
    await service.clone(tpl.name, CLONES, { run: false });
    const bare: number[] = [];
    const help: number[] = [];
    const list: number[] = [];
    const [, inventoryMs] = await timed(() => service!.inventory());
    for (let i = 0; i < RUNS; i++) {
      bare.push(timedRun(['-e', '0'], env));
      help.push(timedRun([CLI, '-h'], env));
      list.push(timedRun(cli('list'), env));
    }
    const b = median(bare);
    report(`node -e 0:                  median ${ms(b)} of ${RUNS} (min ${ms(Math.min(...bare))})`);
    report(`qq2clone -h:                median ${ms(median(help))} (min ${ms(Math.min(...help))}), ${(median(help) / b).toFixed(2)}x bare Node`);
    report(`qq2clone -t T list (${CLONES} clones): median ${ms(median(list))} (min ${ms(Math.min(...list))}), ${(median(list) / b).toFixed(2)}x bare Node; the service's inventory() in-process: ${ms(inventoryMs)}`);
    if (PROFILES) {
      fs.mkdirSync(PROFILES, { recursive: true });
      timedRun(cli('list'), env, ['--cpu-prof', '--cpu-prof-dir', PROFILES, '--cpu-prof-name', 'list.cpuprofile']);
    }
    await service.run('rm', (await service.inventory()).clones.filter((c) => c.template === tpl.name));

    // clone N and rm all: the service in-process, then the CLI; twice, the better of each counts.
    const best = { svcClone: Infinity, svcRm: Infinity, cliClone: Infinity, cliRm: Infinity };
    for (let round = 0; round < 2; round++) {
      const [made, svcClone] = await timed(() => service!.clone(tpl.name, CLONES, { run: false }));
      const [r, svcRm] = await timed(() => service!.run('rm', made));
      if (r.done.length !== CLONES) throw new Error(`service rm removed ${r.done.length} of ${CLONES}`);
      const cliClone = timedRun(cli('clone', String(CLONES)), env);
      const profile = PROFILES && round === 0 ? ['--cpu-prof', '--cpu-prof-dir', PROFILES, '--cpu-prof-name', 'rm-all.cpuprofile'] : [];
      const cliRm = timedRun(cli('rm', 'all'), env, profile);
      const left = bed.domains().length;
      if (left) throw new Error(`${left} clones left after qq2clone rm all`);
      report(`round ${round + 1}: clone ${CLONES}: service ${ms(svcClone)}, CLI ${ms(cliClone)}; rm ${CLONES}: service ${ms(svcRm)}, CLI ${ms(cliRm)}`);
      best.svcClone = Math.min(best.svcClone, svcClone);
      best.svcRm = Math.min(best.svcRm, svcRm);
      best.cliClone = Math.min(best.cliClone, cliClone);
      best.cliRm = Math.min(best.cliRm, cliRm);
    }
    report(`clone ${CLONES}: CLI ${(best.cliClone / best.svcClone).toFixed(2)}x the service in-process (best of 2: ${ms(best.cliClone)} / ${ms(best.svcClone)})`);
    report(`rm ${CLONES}:    CLI ${(best.cliRm / best.svcRm).toFixed(2)}x the service in-process (best of 2: ${ms(best.cliRm)} / ${ms(best.svcRm)})`);
    report(`goals: -h within 1.3x bare Node, rm ${CLONES} within 1.5x the service in-process`);
    if (PROFILES) report(`CPU profiles: ${PROFILES}/list.cpuprofile, ${PROFILES}/rm-all.cpuprofile`);
  } finally {
    service?.dispose();
    bed.cleanup();
    report(bed.domains().length ? 'cleanup: some domains could not be removed' : 'cleanup: all domains and files removed');
    const resultsDir = path.join(__dirname, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(path.join(resultsDir, `cli-start-${started.replace(/[:.]/g, '-')}.txt`), `${lines.join('\n')}\n`);
  }
}

main().catch((e: unknown) => {
  console.error(`benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});

