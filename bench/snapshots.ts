/**
 * Snapshot benchmark (not a test): `npx tsx bench/snapshots.ts [--clones 20] [--no-guest]`.
 *
 * In one run on the real daemon:
 *   1. the running test guest: taking a snapshot with memory and reverting to it, through the service, against the
 *      same through one `virsh snapshot-create-as` / `snapshot-revert` process each (the baseline);
 *   2. N off clones of a tiny template: one snapshot of all of them by SET through the service (guard, locks,
 *      parallel sessions), then a revert of all, against one virsh process per clone, one after the other.
 * Prints times and ratios (service / baseline). Removes everything it made, also on failure.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createLibvirtService } from '../src/libvirt';
import type { CloneRef, SnapshotAction } from '../src/libvirt/api';
import { waitForGuest } from '../test/guest';
import { TestBed, TEST_URI } from '../test/testbed';

const argv = process.argv.slice(2);
const CLONES = Number(argv[argv.indexOf('--clones') + 1] ?? 20) || 20;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const oneShot = (...args: string[]) => execFileSync('virsh', ['-q', '-c', TEST_URI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

async function timed(f: () => unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const bed = new TestBed('bsnap');
  const svc = createLibvirtService({ uri: TEST_URI, home: bed.root });
  const act = async (a: SnapshotAction, refs: CloneRef[]) => {
    const r = await svc.snapshot(a, refs);
    if (r.done.length !== refs.length) throw new Error(`${a.kind} ${a.name}: ${JSON.stringify(r.failed.map((f) => f.error.message))}`);
  };
  try {
    if (!argv.includes('--no-guest')) {
      const g = bed.makeGuestTemplate(svc.config.templateDir, 'g');
      const [c] = await svc.clone(g.name, 1, { run: true });
      await waitForGuest(c!.name);
      const ref = [{ template: c!.template, id: c!.id, uuid: c!.uuid, name: c!.name }];
      const vCreate = await timed(() => oneShot('snapshot-create-as', '--domain', c!.name, '--name', 'virsh', '--atomic'));
      const vRevert = await timed(() => oneShot('snapshot-revert', '--domain', c!.name, '--snapshotname', 'virsh'));
      const sCreate = await timed(() => act({ kind: 'create', name: 'svc' }, ref));
      const sRevert = await timed(() => act({ kind: 'revert', name: 'svc' }, ref));
      console.log(`running test guest, snapshot with memory: create ${seconds(sCreate)} (one virsh process: ${seconds(vCreate)}, ${(sCreate / vCreate).toFixed(2)}x)`);
      console.log(`running test guest, revert to it:         ${seconds(sRevert)} (one virsh process: ${seconds(vRevert)}, ${(sRevert / vRevert).toFixed(2)}x)`);
    }
    const t = bed.makeTemplateFile(svc.config.templateDir, 't');
    const clones = (await svc.clone(t.name, CLONES)).map((c) => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name }));
    const vCreate = await timed(() => clones.forEach((c) => oneShot('snapshot-create-as', '--domain', c.name, '--name', 'virsh', '--atomic')));
    const vRevert = await timed(() => clones.forEach((c) => oneShot('snapshot-revert', '--domain', c.name, '--snapshotname', 'virsh')));
    const sCreate = await timed(() => act({ kind: 'create', name: 'svc' }, clones));
    const sRevert = await timed(() => act({ kind: 'revert', name: 'svc' }, clones));
    console.log(`${CLONES} off clones by SET: create ${seconds(sCreate)} (one virsh process per clone: ${seconds(vCreate)}, ${(sCreate / vCreate).toFixed(2)}x)`);
    console.log(`${CLONES} off clones by SET: revert ${seconds(sRevert)} (one virsh process per clone: ${seconds(vRevert)}, ${(sRevert / vRevert).toFixed(2)}x)`);
  } finally {
    svc.dispose();
    bed.cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
