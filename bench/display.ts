/**
 * Display and exec benchmark (not a test): `npx tsx bench/display.ts [--n 20]`.
 *
 * On one running tiny domain with VNC and one with SPICE graphics, in one run:
 *   (a) screenshot: baseline one-shot `virsh -c URI screenshot` per picture vs the service's virsh sessions;
 *   (b) SPICE address (`domdisplay --type spice`, what connect polls): one-shot vs sessions;
 *   (c) exec driver: one bash running the command for N records vs the baseline of one `bash -c` process per clone
 *       started from node (how a non-terminal runner does it), both with the no-op command `:`.
 * Prints medians and the ratio to the baseline; writes the figures to bench/results/display-<time>.txt.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestBed, TEST_URI, tinyDomainXml, virsh } from '../test/testbed';
import { createLibvirtService } from '../src/libvirt';
import { oneShotVirsh, screenshot, virshFor, waitForSpice, type Virsh } from '../src/libvirt/display/display';
import { driverInvocation, writeRecords } from '../src/extension/terminal/driver';

const argv = process.argv.slice(2);
const N = Number(argv[argv.indexOf('--n') + 1] ?? 20) || 20;
const lines: string[] = [];
const say = (s: string): void => {
  lines.push(s);
  console.log(s);
};
const median = (ms: number[]): number => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;

async function time(n: number, f: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    ms.push(performance.now() - t);
  }
  return median(ms);
}

async function main(): Promise<void> {
  const bed = new TestBed('bdisp');
  const service = createLibvirtService({ uri: TEST_URI, home: bed.root });
  try {
    const uuids: Record<string, string> = {};
    for (const [k, dev] of [
      ['vnc', `<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>\n`],
      ['spice', `<graphics type='spice' autoport='yes' listen='127.0.0.1'/><video><model type='qxl'/></video>\n`],
    ] as const) {
      const xml = path.join(bed.root, `${k}.xml`);
      fs.writeFileSync(xml, tinyDomainXml({ name: `${bed.prefix}-${k}`, disk: bed.makeDisk(`${k}.qcow2`), devices: dev }));
      virsh('define', xml);
      virsh('start', `${bed.prefix}-${k}`);
      uuids[k] = virsh('domuuid', `${bed.prefix}-${k}`).trim();
    }
    say(`display/exec bench: N=${N}, ${os.cpus().length} CPUs, ${TEST_URI}`);
    const one = oneShotVirsh(TEST_URI);
    const ses: Virsh = virshFor(service);
    await ses(['uri']); // open a session before timing
    const file = path.join(bed.root, 'shot.png');
    const shotBase = await time(N, () => screenshot(one, uuids.vnc!, file));
    const shotSes = await time(N, () => screenshot(ses, uuids.vnc!, file));
    say(`screenshot  one-shot virsh ${shotBase.toFixed(1)} ms | sessions ${shotSes.toFixed(1)} ms | ratio ${(shotBase / shotSes).toFixed(2)}x`);
    const spBase = await time(N, () => waitForSpice(one, uuids.spice!, 5000));
    const spSes = await time(N, () => waitForSpice(ses, uuids.spice!, 5000));
    say(`SPICE addr  one-shot virsh ${spBase.toFixed(1)} ms | sessions ${spSes.toFixed(1)} ms | ratio ${(spBase / spSes).toFixed(2)}x`);

    const clones = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: `c${i + 1}`, uuid: `u-${i}`, disks: [`/d/${i}.qcow2`] }));
    const rec = path.join(bed.root, 'records');
    writeRecords(rec, clones);
    const inv = driverInvocation(rec, path.join(bed.root, 'summary'), clones.length, ':', false);
    const execBase = await time(5, () => {
      for (const c of clones) execFileSync('bash', ['-c', ':'], { env: { ...process.env, uuid: c.uuid, name: c.name, disks: c.disks.join('\n') } });
    });
    const execDriver = await time(5, () => spawnSync(inv.shellPath, inv.shellArgs, { env: { ...process.env, ...inv.env } }));
    say(`exec x50    bash per clone ${execBase.toFixed(1)} ms | driver ${execDriver.toFixed(1)} ms | ratio ${(execBase / execDriver).toFixed(2)}x`);
  } finally {
    service.dispose();
    bed.cleanup();
  }
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', `display-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`), `${lines.join('\n')}\n`);
}

void main();
