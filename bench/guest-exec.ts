/**
 * Run in Guests benchmark (not a test): `npx tsx bench/guest-exec.ts [--clones 4] [--rounds 2] [--command 'sleep 1; uname -r']`.
 *
 * Makes --clones clones of the real test guest (test/guest), boots them, then runs --command inside every guest
 * through the guest agent (runInGuests, the code behind `guest-exec` and Run in Guests): (a) in number order,
 * (b) all in parallel. Prints the best of --rounds for each and the ratio (b)/(a). The guests' own boot times are
 * printed too. Removes everything it made.
 */
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import { bootAll } from '../test/guest/bootAll';
import { TestBed } from '../test/testbed';
import { depsFor, serviceFor } from '../test/libvirt/templateHelpers';
import { importTemplate } from '../src/libvirt/templates/templateOps';
import { runInGuests } from '../src/libvirt/guests/run';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const CLONES = Number(arg('--clones', '4'));
const ROUNDS = Number(arg('--rounds', '2'));
const COMMAND = arg('--command', 'sleep 1; uname -r');
const s = (t: number): string => `${(t / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const bed = new TestBed('bench-gexec');
  const svc = serviceFor(bed);
  try {
    const t = bed.makeGuestTemplate(path.join(bed.root, 'src'), 'g');
    await importTemplate(depsFor(svc), t.xmlPath);
    const t0 = performance.now();
    const clones = await svc.clone(t.name, CLONES, { run: true });
    await bootAll(clones.map((c) => c.name));
    console.log(`${CLONES} guests booted (in parallel, TCG) in ${s(performance.now() - t0)}`);
    const timed = async (parallel: number): Promise<number> => {
      let min = Infinity;
      for (let i = 0; i < ROUNDS; i++) {
        const a = performance.now();
        const r = await runInGuests(svc, clones, COMMAND, { parallel });
        const bad = r.outcomes.filter((o) => o.kind !== 'ran' || o.status.exitCode !== 0);
        if (bad.length || r.outcomes.length !== CLONES) throw new Error(`a run failed: ${JSON.stringify(bad)}`);
        min = Math.min(min, performance.now() - a);
      }
      return min;
    };
    const inOrder = await timed(1);
    const parallel = await timed(CLONES);
    console.log(`guest-exec '${COMMAND}' over ${CLONES} guests through the agent, best of ${ROUNDS}`);
    console.log(`  (a) in number order:        ${s(inOrder)}  (${s(inOrder / CLONES)} per guest)`);
    console.log(`  (b) parallel, ${CLONES} at once:   ${s(parallel)}  (${(parallel / inOrder).toFixed(2)}x of (a))`);
  } finally {
    svc.dispose();
    bed.cleanup();
  }
}

void main();
