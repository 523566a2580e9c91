/**
 * commit-image benchmark (not a test): `npx tsx bench/commit-image.ts [--size 1G] [--data 256] [--changes 32]`.
 *
 * A base image with --data MiB written, a staging overlay with --changes MiB written on top. In one run:
 *   (a) the manual's way: `qemu-img commit` of the staging overlay into (a copy of) the base, in place; this is what
 *       corrupts existing clones, so it is the baseline for speed only;
 *   (b) ours: flattenInto() the staging overlay into a new standalone generation (qemu-img convert), read-only.
 * Prints times, the ratio, and the new generation's size on disk. Removes everything it made.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestBed, qemuImg } from '../test/testbed';
import { createOverlay, flattenInto } from '../src/libvirt/storage/images';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const SIZE = arg('--size', '1G');
const DATA = Number(arg('--data', '256'));
const CHANGES = Number(arg('--changes', '32'));

function fill(image: string, mib: number, pattern: number, startMiB: number): void {
  const cmds = Array.from({ length: mib }, (_, i) => ['-c', `write -P 0x${pattern.toString(16)} ${startMiB + i}M 1M`]).flat();
  execFileSync('qemu-io', [...cmds, image], { stdio: 'ignore' });
}
const ms = (t: number): string => `${(t / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const bed = new TestBed('bench-commit');
  try {
    const base = bed.makeDisk('base.qcow2', SIZE);
    fill(base, DATA, 0x11, 0);
    const staging = path.join(bed.root, 'staging.qcow2');
    await createOverlay(base, staging);
    fill(staging, CHANGES, 0xcd, DATA / 2);

    // (a) in place, into a copy of the base (as qq2clone's commit-image does to the real one).
    const baseCopy = path.join(bed.root, 'base-copy.qcow2');
    fs.copyFileSync(base, baseCopy);
    const stagingCopy = path.join(bed.root, 'staging-copy.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', baseCopy, '-F', 'qcow2', stagingCopy);
    fill(stagingCopy, CHANGES, 0xcd, DATA / 2);
    let t0 = performance.now();
    qemuImg('commit', '-q', stagingCopy);
    const inPlace = performance.now() - t0;

    // (b) a new generation.
    const gen = path.join(bed.root, 'template-images', 'bench.gen2.vda.qcow2');
    t0 = performance.now();
    await flattenInto(staging, gen);
    const generation = performance.now() - t0;

    console.log(`commit-image, ${SIZE} image, ${DATA} MiB of data, ${CHANGES} MiB staged`);
    console.log(`  (a) in place (qemu-img commit, corrupts clones):  ${ms(inPlace)}`);
    console.log(`  (b) new generation (qemu-img convert, read-only):  ${ms(generation)}  (${(generation / inPlace).toFixed(1)}x the in-place time)`);
    console.log(`  new generation on disk: ${(fs.statSync(gen).blocks * 512 / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    bed.cleanup();
  }
}

void main();
