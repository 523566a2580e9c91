/**
 * Tree refresh benchmark (not a test): `npx tsx bench/tree-refresh.ts [--clones 500] [--live 6] [--rounds 20]`.
 *
 * 1. Refresh cost with `--clones` clones (the tree's data path, outside VS Code): the baseline re-reads and
 *    re-renders every item on each change (what a plain "fire everything" provider makes VS Code do); ours updates
 *    the model in place and re-renders only the items that changed. Median CPU time per refresh, items re-rendered.
 * 2. A 100-event burst (a 100-clone batch) through the refresh scheduler: baseline one read per event; ours.
 * 3. Event-to-tree latency on the real daemon with `--live` clones of a test-bed template: the service suspends /
 *    resumes a clone; we time libvirt's event arriving in the controller to the item changing (optimistic apply),
 *    and to the inventory read confirming it; baseline: an immediate full inventory read per event.
 * Prints figures (stdout and bench/results/). Removes everything it made, also on failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CloneInfo, Inventory, TemplateInfo } from '../src/libvirt/api';
import type { CloneState } from '../src/core/states';
import { TreeModel, type TreeNode } from '../src/tree/model';
import * as P from '../src/tree/presentation';
import { RefreshScheduler } from '../src/tree/scheduler';
import { TreeController } from '../src/tree/controller';
import { createLibvirtService } from '../src/libvirt';
import { TestBed, TEST_URI } from '../test/testbed';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const CLONES = Number(arg('--clones', '500'));
const LIVE = Number(arg('--live', '6'));
const ROUNDS = Number(arg('--rounds', '20'));
const lines: string[] = [];
const report = (s: string): void => {
  lines.push(s);
  console.log(s);
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(3)} ms`;

/** What VS Code asks of a provider per item: the TreeItem's fields. */
function render(n: TreeNode): string {
  if (n.kind === 'template') return P.templateDescription(n.template, n.clones.length) + P.TEMPLATE_CONTEXT;
  const c = n.clone;
  return P.cloneLabel(c) + P.cloneDescription(c) + P.cloneContextValue(c) + P.STATE_ICON[c.state].icon;
}

function syntheticInventory(n: number, changed = -1): Inventory {
  const states: CloneState[] = ['running', 'paused', 'saved', 'off'];
  const templates: TemplateInfo[] = Array.from({ length: 5 }, (_, t) => ({
    name: `tpl${t}`,
    xmlPath: `/t/tpl${t}.xml`,
    disks: [`/i/tpl${t}.qcow2`],
  }));
  const clones: CloneInfo[] = Array.from({ length: n }, (_, i) => {
    const state = i === changed ? 'paused' : states[i % 4]!;
    return {
      template: `tpl${i % 5}`,
      id: Math.floor(i / 5) + 1,
      name: `tpl${i % 5}-${Math.floor(i / 5) + 1}`,
      uuid: `00000000-0000-0000-0000-${i.toString().padStart(12, '0')}`,
      state,
      reason: state === 'off' ? 'shutdown' : 'unknown',
      saved: state === 'saved',
    };
  });
  return { templates, clones, foreign: [] };
}

function costSection(): void {
  report(`\n== refresh cost with ${CLONES} clones (median of ${ROUNDS} rounds, CPU only)`);
  const invs = Array.from({ length: ROUNDS + 1 }, (_, r) => syntheticInventory(CLONES, r * 7));
  // Baseline: new nodes each time, every item re-rendered.
  const base: number[] = [];
  let baseItems = 0;
  for (const inv of invs) {
    const t0 = performance.now();
    const m = new TreeModel();
    m.update(inv);
    baseItems = 0;
    for (const t of m.templates) {
      render(t);
      baseItems++;
      for (const c of t.clones) {
        render(c);
        baseItems++;
      }
    }
    base.push(performance.now() - t0);
  }
  const model = new TreeModel();
  model.update(invs[0]!);
  const ours: number[] = [];
  let ourItems = 0;
  for (const inv of invs.slice(1)) {
    const t0 = performance.now();
    const ch = model.update(inv);
    ourItems = 0;
    for (const n of ch.nodes) {
      render(n);
      ourItems++;
    }
    ours.push(performance.now() - t0);
  }
  const events: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const node = model.templates[0]!.clones[r]!;
    const t0 = performance.now();
    const ch = model.applyEvent({ domain: node.clone.name, event: r % 2 ? 'Resumed' : 'Suspended', detail: '' });
    for (const n of ch.nodes) render(n);
    events.push(performance.now() - t0);
  }
  report(`baseline (rebuild, re-render all):   ${ms(median(base))} per refresh, ${baseItems} items re-rendered`);
  report(`ours (update in place, changed only): ${ms(median(ours))} per refresh, ${ourItems} items re-rendered`);
  report(`ours, one lifecycle event applied:    ${ms(median(events))}`);
  report(`ratio baseline/ours: ${(median(base) / median(ours)).toFixed(1)}x time, ${(baseItems / Math.max(1, ourItems)).toFixed(0)}x items`);
}

async function burstSection(): Promise<void> {
  report('\n== a burst of 100 events over 5 s (a 100-clone batch), read taking 80 ms');
  const read = (): Promise<void> => new Promise((r) => setTimeout(r, 80));
  const s = new RefreshScheduler(read, { pollMs: 0 });
  s.setVisible(true);
  await new Promise((r) => setTimeout(r, 200));
  const before = s.reads;
  for (let i = 0; i < 100; i++) {
    s.request();
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 1500));
  report(`baseline (one read per event): 100 reads; ours: ${s.reads - before} reads`);
  s.dispose();
}

async function liveSection(): Promise<void> {
  report(`\n== event-to-tree latency on ${TEST_URI} with ${LIVE} clones`);
  const bed = new TestBed('treebench');
  const service = createLibvirtService({
    uri: TEST_URI,
    templateDir: path.join(bed.root, 'templates'),
    storage: path.join(bed.root, 'pool'),
    home: bed.root,
  });
  fs.mkdirSync(path.join(bed.root, 'pool'), { recursive: true });
  try {
    const tpl = bed.makeTemplateFile(path.join(bed.root, 'templates'), 'tpl');
    const made = await service.clone(tpl.name, LIVE, { run: true });
    let eventAt = 0;
    let shownAt = 0;
    let confirmedAt = 0;
    const controller = new TreeController(() => service, {
      changed: (_c, source) => {
        if (source === 'event' && !shownAt) shownAt = performance.now();
        if (source === 'inventory' && eventAt && !confirmedAt) confirmedAt = performance.now();
      },
      availability: () => undefined,
      log: () => undefined,
    }, { pollMs: 0 });
    service.onEvent(() => {
      if (!eventAt) eventAt = performance.now();
    });
    controller.follow(service);
    controller.scheduler.setVisible(true);
    await controller.scheduler.now();
    const shown: number[] = [];
    const confirmed: number[] = [];
    const fullRead: number[] = [];
    for (let r = 0; r < Math.min(ROUNDS, 10); r++) {
      const c = made[Math.floor(r / 2) % made.length]!;
      const ref = { template: c.template, id: c.id, uuid: c.uuid, name: c.name };
      eventAt = shownAt = confirmedAt = 0;
      await service.run(r % 2 ? 'resume' : 'suspend', [ref]);
      const deadline = performance.now() + 5000;
      while ((!shownAt || !confirmedAt) && performance.now() < deadline) await new Promise((x) => setTimeout(x, 5));
      if (eventAt && shownAt) shown.push(shownAt - eventAt);
      if (eventAt && confirmedAt) confirmed.push(confirmedAt - eventAt);
      const t0 = performance.now();
      await service.inventory();
      fullRead.push(performance.now() - t0);
      await new Promise((x) => setTimeout(x, 800));
    }
    if (!shown.length) report('no lifecycle events arrived (does the service follow events yet?)');
    else {
      report(`event -> item changed (ours, optimistic):  median ${ms(median(shown))}, max ${ms(Math.max(...shown))} (${shown.length} events)`);
      report(`event -> confirmed by inventory read:       median ${ms(median(confirmed))}, max ${ms(Math.max(...confirmed))}`);
      report(`baseline: one full inventory read per event: median ${ms(median(fullRead))} each`);
    }
    controller.dispose();
    await service.run('rm', made.map((c) => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name })));
  } catch (e) {
    report(`live part not run: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    service.dispose();
    bed.cleanup();
  }
}

async function main(): Promise<void> {
  costSection();
  await burstSection();
  if (!argv.includes('--no-live')) await liveSection();
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `tree-refresh-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`), lines.join('\n') + '\n');
}

void main();
