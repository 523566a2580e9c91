/**
 * Test guest benchmark (not a test): `npx tsx bench/guest-boot.ts [--n 3]`.
 *
 *   (a) the image: a fresh build into a scratch cache (packages fetched again) and the cached lookup after it;
 *       kernel, initramfs and root sizes (virtual and on disk);
 *   (b) boot to ready (virsh start until the guest agent answers, which it does after the ready marker), N boots of
 *       one overlay, against the baseline of a tiny domain with an empty disk reaching "running" (QEMU alone);
 *   (c) SSH: from ready to `ssh ... true` answering on a 127.0.0.1 forward, once.
 * Prints medians, maxima and the ratio to the baseline; writes the figures to bench/results/guest-boot-<time>.txt.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureGuest, forwardSsh, guestDomainXml, sshArgs, waitForGuest } from '../test/guest';
import { TestBed, TEST_URI, qemuImg, tinyDomainXml, virsh } from '../test/testbed';

const argv = process.argv.slice(2);
const N = Number(argv[argv.indexOf('--n') + 1] ?? 3) || 3;
const lines: string[] = [];
const say = (s: string): void => {
  lines.push(s);
  console.log(s);
};
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)]!;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

async function until(f: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main(): Promise<void> {
  const bed = new TestBed('bguest');
  try {
    say(`guest boot bench: N=${N}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}, ${TEST_URI}`);
    const scratch = path.join(bed.root, 'cache');
    let t = performance.now();
    const fresh = ensureGuest(scratch);
    const buildMs = performance.now() - t;
    t = performance.now();
    ensureGuest(scratch);
    const cachedMs = performance.now() - t;
    const info = JSON.parse(qemuImg('info', '--output=json', fresh.rootImage)) as { 'virtual-size': number; 'actual-size': number };
    const recipe = JSON.parse(fs.readFileSync(path.join(fresh.dir, 'recipe.json'), 'utf8')) as { packages: string[] };
    say(`image: build ${s(buildMs)} (${recipe.packages.length} packages), cached ${cachedMs.toFixed(1)} ms`);
    say(`  root qcow2 ${mib(info['virtual-size'])} virtual, ${mib(info['actual-size'])} on disk; vmlinux ${mib(fs.statSync(fresh.kernel).size)}, initramfs ${mib(fs.statSync(fresh.initrd).size)}`);
    fs.rmSync(scratch, { recursive: true, force: true });

    const g = ensureGuest();
    const base = `${bed.prefix}-base`;
    fs.writeFileSync(path.join(bed.root, 'base.xml'), tinyDomainXml({ name: base, disk: bed.makeDisk('base.qcow2') }));
    virsh('define', path.join(bed.root, 'base.xml'));
    const dom = `${bed.prefix}-g`;
    const disk = path.join(bed.root, 'g.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', g.rootImage, '-F', 'qcow2', disk);
    fs.writeFileSync(path.join(bed.root, 'g.xml'), guestDomainXml({ name: dom, disk }));
    virsh('define', path.join(bed.root, 'g.xml'));

    const baseMs: number[] = [];
    const bootMs: number[] = [];
    for (let i = 0; i < N; i++) {
      t = performance.now();
      virsh('start', base);
      await until(() => virsh('domstate', base).trim() === 'running', 'the baseline domain');
      baseMs.push(performance.now() - t);
      virsh('destroy', base);
      t = performance.now();
      virsh('start', dom);
      await waitForGuest(dom);
      bootMs.push(performance.now() - t);
      if (i < N - 1) virsh('destroy', dom);
    }
    say(`baseline (empty-disk domain to running): median ${s(median(baseMs))}, max ${s(Math.max(...baseMs))}`);
    say(`boot to ready: median ${s(median(bootMs))}, max ${s(Math.max(...bootMs))} (${bootMs.map(s).join(', ')}), ` +
      `${(median(bootMs) / median(baseMs)).toFixed(1)}x the baseline`);

    t = performance.now();
    const port = await forwardSsh(dom);
    execFileSync('ssh', [...sshArgs(g, port), 'true'], { timeout: 60_000 });
    say(`ssh after ready (forward + first command): ${s(performance.now() - t)}`);
    virsh('destroy', dom);
  } finally {
    bed.cleanup();
  }
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `guest-boot-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  console.log(`written to ${file}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
