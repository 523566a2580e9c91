/**
 * Disk access benchmark (not a test): `npx tsx bench/guestfs.ts [--calls 20]`.
 *
 * On a small qcow2 overlay of a bare ext4 filesystem (mkfs.ext4 -d), in one run:
 *   (a) the product's way: one appliance (helper.py on python3-guestfs, JSON lines over stdio), its start timed once,
 *       then --calls reads (cat of a small file) and --calls listings (ls of a folder) on it;
 *   (b) the baseline: one `virt-cat` / `virt-ls` process per call (each starts its own appliance), 3 calls each.
 * Prints the appliance start, the median per-call latency after it, the per-process times and the ratios.
 * Removes everything it made.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { GuestfsHelper } from '../src/libvirt/disks/client';

const argv = process.argv.slice(2);
const CALLS = Number(argv[argv.indexOf('--calls') + 1] ?? 20) || 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join('/var/tmp', 'qq2clone-bench-gfs-'));
  try {
    const tree = path.join(dir, 'tree');
    fs.mkdirSync(path.join(tree, 'etc'), { recursive: true });
    for (let i = 0; i < 150; i++) fs.writeFileSync(path.join(tree, 'etc', `f${i}`), `file ${i}\n`);
    const raw = path.join(dir, 'fs.raw');
    execFileSync('truncate', ['-s', '64M', raw]);
    execFileSync('mkfs.ext4', ['-q', '-d', tree, raw]);
    const base = path.join(dir, 'base.qcow2');
    execFileSync('qemu-img', ['convert', '-O', 'qcow2', raw, base]);
    const overlay = path.join(dir, 'clone.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, overlay]);

    let t0 = performance.now();
    const h = await GuestfsHelper.launch('bench disk', [{ path: overlay, side: 'm', format: 'qcow2' }], true);
    const start = performance.now() - t0;
    const cat: number[] = [];
    const ls: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      t0 = performance.now();
      await h.call('read', { path: `/etc/f${i}` });
      cat.push(performance.now() - t0);
      t0 = performance.now();
      await h.call('readdir', { path: '/etc' });
      ls.push(performance.now() - t0);
    }
    await h.close();

    const env = { ...process.env, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' };
    const proc = (cmd: string, args: string[]) => {
      const t = performance.now();
      execFileSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      return performance.now() - t;
    };
    const vcat: number[] = [];
    const vls: number[] = [];
    for (let i = 0; i < 3; i++) {
      vcat.push(proc('virt-cat', ['--format=qcow2', '-a', overlay, '-m', '/dev/sda', `/etc/f${i}`]));
      vls.push(proc('virt-ls', ['-l', '--format=qcow2', '-a', overlay, '-m', '/dev/sda', '/etc']));
    }
    console.log(`appliance start (helper, once):            ${f(start)}`);
    console.log(`read a small file, per call after it:      median ${f(median(cat))} (${CALLS} calls)`);
    console.log(`list a 150-entry folder with stats, per call: median ${f(median(ls))} (${CALLS} calls)`);
    console.log(`virt-cat, one process per call:            median ${f(median(vcat))} (3 calls)`);
    console.log(`virt-ls -l -m, one process per call:       median ${f(median(vls))} (3 calls)`);
    console.log(`ratio per call: cat ${(median(vcat) / median(cat)).toFixed(0)}x, ls ${(median(vls) / median(ls)).toFixed(0)}x faster on an open appliance`);
    console.log(`break-even: the appliance start pays for itself after ${Math.ceil(start / median(vcat))} call(s)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
