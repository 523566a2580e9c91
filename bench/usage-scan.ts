/**
 * "What is in use" benchmark (not a test): `npx tsx bench/usage-scan.ts [--clones 50] [--rounds 3]`.
 *
 * Every decision to delete an image (commit-image, delete-template, each of check's file fixes) reads what every
 * domain uses. With --clones clones of one template, in one run:
 *   (a) the former way, for our clones only: per clone its disks (virsh dumpxml) and `qemu-img info --backing-chain`
 *       of each, one after the other;
 *   (b) scanUsage(): every domain (ours or not, persistent and live definitions) and every template, qcow2 headers
 *       read directly, other images through qemu-img a few at a time.
 * Prints the best of --rounds for each and the ratio. The daemon may hold other domains: (b) reads them too.
 * Removes everything it made.
 */
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import { TestBed } from '../test/testbed';
import { depsFor, serviceFor } from '../test/libvirt/templateHelpers';
import { importTemplate } from '../src/libvirt/templates/templateOps';
import { backingChain } from '../src/libvirt/storage/images';
import { scanUsage } from '../src/libvirt/storage/usage';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const CLONES = Number(arg('--clones', '50'));
const ROUNDS = Number(arg('--rounds', '3'));
const ms = (t: number): string => `${(t / 1000).toFixed(2)} s`;

async function best(f: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await f();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

async function main(): Promise<void> {
  const bed = new TestBed('bench-usage');
  const svc = serviceFor(bed);
  try {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 't');
    await importTemplate(depsFor(svc), t.xmlPath);
    await svc.clone(t.name, CLONES);
    const inv = await svc.inventory();
    const former = await best(async () => {
      // As it was: failures read as "uses nothing" (the fail-open this replaced).
      for (const c of inv.clones) {
        for (const d of await svc.cloneDisks(c.uuid).catch(() => [] as string[])) await backingChain(d).catch(() => []);
      }
    });
    let domains = 0;
    const scan = await best(async () => {
      domains = (await scanUsage(svc)).domains.size;
    });
    console.log(`what is in use, ${CLONES} clones (${domains} domains on the daemon), best of ${ROUNDS}`);
    console.log(`  (a) former: our clones only, dumpxml + qemu-img --backing-chain each:  ${ms(former)}`);
    console.log(`  (b) scanUsage: every domain and template, fail-closed:              ${ms(scan)}  (${(scan / former).toFixed(2)}x)`);
  } finally {
    svc.dispose();
    bed.cleanup();
  }
}

void main();
