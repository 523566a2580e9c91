/**
 * Live usage benchmark (not a test): `npx tsx bench/usage.ts [--clones 100] [--running 2] [--rounds 5]`.
 *
 * --clones clones of one tiny template are defined, --running of them started. In one run, the cost of one refresh
 * of their figures:
 *   (a) UsageSampler.sample: one `domstats --cpu-total --balloon --vcpu --interface --block` naming every clone,
 *       with nodecpustats and nodememstats, written at once to one virsh session;
 *   (b) per clone one `domstats` (same groups) and one `dominfo`, one after another through the same sessions;
 *   (c) the same per-clone commands pipelined (all written at once, spread over the session pool).
 * Prints the best of --rounds for each and the ratios against (a). Removes everything it made.
 */
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import { TestBed, TEST_URI } from '../test/testbed';
import { createLibvirtService } from '../src/libvirt';
import { DOMSTATS_GROUPS, UsageSampler } from '../src/libvirt/stats';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const CLONES = Number(arg('--clones', '100'));
const RUNNING = Number(arg('--running', '2'));
const ROUNDS = Number(arg('--rounds', '5'));
const ms = (t: number): string => `${t.toFixed(0)} ms`;

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
  const bed = new TestBed('bench-live');
  const templateDir = path.join(bed.root, 'templates');
  const svc = createLibvirtService({ uri: TEST_URI, home: bed.root, templateDir });
  try {
    const t = bed.makeTemplateFile(templateDir, 't');
    const made = await svc.clone(t.name, CLONES);
    const names = made.map((c) => c.name);
    for (const n of names.slice(0, RUNNING)) await svc.virsh(['start', n]);
    const sampler = new UsageSampler(svc);
    let seen = 0;
    await sampler.sample(names); // sessions open, first sample taken
    const one = await best(async () => {
      seen = (await sampler.sample(names)).domains.size;
    });
    const each = await best(async () => {
      for (const n of names) {
        await svc.virsh(['domstats', ...DOMSTATS_GROUPS, n]);
        await svc.virsh(['dominfo', n]);
      }
    });
    const piped = await best(async () => {
      const r = await svc.virshBatch(names.flatMap((n) => [['domstats', ...DOMSTATS_GROUPS, n], ['dominfo', n]]), undefined, 6);
      if (r.some((x) => x.status === 'rejected')) throw new Error('a per-clone command failed');
    });
    console.log(`one usage refresh of ${CLONES} clones (${RUNNING} running, ${seen} with figures), best of ${ROUNDS}`);
    console.log(`  (a) one domstats for all + node figures, one round trip:   ${ms(one)}`);
    console.log(`  (b) domstats + dominfo per clone, one after another:       ${ms(each)}  (${(each / one).toFixed(1)}x of a)`);
    console.log(`  (c) domstats + dominfo per clone, pipelined on 6 sessions: ${ms(piped)}  (${(piped / one).toFixed(1)}x of a)`);
  } finally {
    svc.dispose();
    bed.cleanup();
  }
}

void main();
