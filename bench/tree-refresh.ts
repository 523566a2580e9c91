/**
 * Tree refresh benchmark (not a test): `npx tsx bench/tree-refresh.ts [--clones 500] [--live 2] [--rounds 20] [--no-live]`.
 *
 * 1. Refresh cost with `--clones` synthetic clones (the tree's data path, outside VS Code): the baseline re-reads and
 *    re-renders every item on each change (what a plain "fire everything" provider makes VS Code do); ours updates
 *    the model in place and re-renders only the items that changed. Median CPU time per refresh, items re-rendered.
 * 2. A 100-event burst (a 100-clone batch) through the refresh scheduler: baseline one read per event; ours.
 * 3. On the real daemon, with `--clones` real defined clones (`--live` of them running): event-to-tree latency over
 *    `--rounds` state changes, printed as max / median / p95 against the bound (250 ms from the event), and
 *    the refresh cost through the real controller and model (see liveSection).
 * Prints figures (stdout and bench/results/). Removes everything it made, also on failure.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CloneInfo, CloneRef, Inventory, TemplateInfo } from '../src/libvirt/api';
import type { CloneState } from '../src/core/states';
import { TreeModel, type TreeNode } from '../src/extension/tree/model';
import * as P from '../src/extension/tree/presentation';
import { RefreshScheduler } from '../src/extension/tree/scheduler';
import { TreeController } from '../src/extension/tree/controller';
import { createLibvirtService } from '../src/libvirt';
import { TestBed, TEST_URI } from '../test/testbed';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const CLONES = Number(arg('--clones', '500'));
const LIVE = Number(arg('--live', '2'));
const ROUNDS = Number(arg('--rounds', '20'));
const lines: string[] = [];
const report = (s: string): void => {
  lines.push(s);
  console.log(s);
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(3)} ms`;
/** The bound: a state change must show in the tree within 250 ms of the event. */
const BOUND_MS = 250;
const refOf = (c: CloneInfo): CloneRef => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name });
async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

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

/** The baseline: a new model per refresh and every item re-rendered. Times per refresh, items per refresh. */
function rebuildBaseline(invs: readonly Inventory[]): { times: number[]; items: number } {
  const times: number[] = [];
  let items = 0;
  for (const inv of invs) {
    const t0 = performance.now();
    const m = new TreeModel();
    m.update(inv);
    items = 0;
    for (const t of m.templates) {
      render(t);
      items++;
      for (const c of t.clones) {
        render(c);
        items++;
      }
    }
    times.push(performance.now() - t0);
  }
  return { times, items };
}

function costSection(): void {
  report(`\n== refresh cost with ${CLONES} clones (median of ${ROUNDS} rounds, CPU only)`);
  const invs = Array.from({ length: ROUNDS + 1 }, (_, r) => syntheticInventory(CLONES, r * 7));
  // Baseline: new nodes each time, every item re-rendered.
  const { times: base, items: baseItems } = rebuildBaseline(invs);
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

/** "max X, median Y, p95 Z" (nearest-rank p95) of `xs`. */
function stats(xs: number[]): { text: string; max: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  const p95 = sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)]!;
  const max = sorted[sorted.length - 1]!;
  return { text: `max ${ms(max)}, median ${ms(median(xs))}, p95 ${ms(p95)} over ${xs.length}`, max };
}

/** The figures of `xs` and whether the max is within `bound` ms. */
function againstBound(label: string, xs: number[], bound = BOUND_MS): void {
  if (!xs.length) {
    report(`${label}: no samples`);
    return;
  }
  const s = stats(xs);
  const verdict = s.max <= bound ? `within ${bound} ms (max ${(bound / Math.max(s.max, 0.001)).toFixed(0)}x under)` : `NOT within ${bound} ms`;
  report(`${label}: ${s.text}: ${verdict}`);
}

/**
 * On the real daemon: `--clones` real defined clones of a test-bed template (made through the service, as
 * bench/clone-rm.ts does: overlays copied from one prototype, defined, not started), `--live` of them started.
 * 1. Event-to-tree latency over `--rounds` state changes (suspend / resume of a running clone) with all of them
 *    listed: libvirt's event arriving -> the item changed (the bound: 250 ms), -> confirmed by the debounced
 *    inventory read; and the command's start -> the item changed (libvirt's own work included).
 * 2. Refresh cost through the real controller and model: a whole read (inventory + model update + what changed),
 *    cold and warm; the model part on the real inventory, against the baseline of rebuilding and re-rendering all.
 * Everything made is removed afterwards, also on failure.
 */
async function liveSection(): Promise<void> {
  report(`\n== on ${TEST_URI}: ${CLONES} real defined clones, ${LIVE} of them running`);
  report(`load average at start: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores (other work on the machine inflates the tails)`);
  const bed = new TestBed('treebench');
  const service = createLibvirtService({
    uri: TEST_URI,
    templateDir: path.join(bed.root, 'templates'),
    storage: path.join(bed.root, 'pool'),
    home: bed.root,
  });
  fs.mkdirSync(path.join(bed.root, 'pool'), { recursive: true });
  let eventAt = 0;
  let shownAt = 0;
  let confirmedAt = 0;
  /** The clone whose state a round changes. */
  let target = '';
  const controller = new TreeController(() => service, {
    changed: (c, source) => {
      if (source === 'event' && !shownAt && c.nodes.some((n) => n.kind === 'clone' && n.clone.name === target)) shownAt = performance.now();
      if (source === 'inventory' && eventAt && !confirmedAt) confirmedAt = performance.now();
    },
    availability: () => undefined,
    log: () => undefined,
  }, { pollMs: 0 });
  let made: CloneInfo[] = [];
  try {
    const tpl = bed.makeTemplateFile(path.join(bed.root, 'templates'), 'tpl');
    const [all, makeMs] = await timed(() => service.clone(tpl.name, CLONES, { run: false }));
    made = all;
    const live = made.slice(0, LIVE);
    const started = await service.run('start', live.map(refOf));
    if (started.done.length !== live.length) throw new Error(`starting ${live.length} clones: ${started.failed[0]?.error.message ?? 'not all started'}`);
    const inv = await service.inventory();
    report(`made ${made.length} clones in ${(makeMs / 1000).toFixed(2)} s; started ${live.length}; domains on the daemon: ${inv.clones.length + inv.foreign.length}`);

    // This listener comes before the controller's: it stamps the moment libvirt's event about the clone being
    // changed reaches the service (other domains on a shared daemon have events too).
    service.onEvent((e) => {
      if (!eventAt && e.domain === target) eventAt = performance.now();
    });
    controller.follow(service);
    controller.scheduler.setVisible(true);
    const [, coldMs] = await timed(() => controller.read());
    const listed = controller.model.templates.find((t) => t.template.name === tpl.name)?.clones.length ?? 0;
    if (listed !== CLONES) throw new Error(`the tree lists ${listed} of ${CLONES} clones`);
    await new Promise((x) => setTimeout(x, 1500));

    const shown: number[] = [];
    const confirmed: number[] = [];
    const fromCommand: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const c = live[Math.floor(r / 2) % live.length]!;
      eventAt = shownAt = confirmedAt = 0;
      target = c.name;
      const t0 = performance.now();
      await service.run(r % 2 ? 'resume' : 'suspend', [refOf(c)]);
      const deadline = performance.now() + 5000;
      while ((!shownAt || !confirmedAt) && performance.now() < deadline) await new Promise((x) => setTimeout(x, 2));
      if (eventAt && shownAt) shown.push(shownAt - eventAt);
      if (eventAt && confirmedAt) confirmed.push(confirmedAt - eventAt);
      if (shownAt) fromCommand.push(shownAt - t0);
      await new Promise((x) => setTimeout(x, 800));
    }
    report(`-- event-to-tree latency with ${CLONES} clones listed, ${ROUNDS} rounds (bound: a state change shows within ${BOUND_MS} ms of the event)`);
    againstBound('THE BOUND: event -> item changed in the tree (optimistic apply)', shown);
    report('for information (not the bound, same rounds):');
    againstBound('  event -> confirmed by the debounced (100 ms) inventory read', confirmed);
    againstBound('  run(suspend|resume) called -> item changed (includes the service reading 500 states and libvirt doing it)', fromCommand);
    if (shown.length < ROUNDS) report(`${ROUNDS - shown.length} of ${ROUNDS} changes did not show within 5 s`);

    report(`-- refresh cost through the real controller and model, ${CLONES} clones`);
    const reads: number[] = [];
    for (let r = 0; r < ROUNDS; r++) reads.push((await timed(() => controller.read()))[1]);
    report(`whole read (inventory + model update), cold (every clone's bookkeeping read): ${ms(coldMs)}`);
    report(`whole read, warm (bookkeeping cached while events run): ${stats(reads).text} reads`);
    // The model part on the real inventory, one clone's state changed per round as a real change would.
    const real = await service.inventory();
    const variants = Array.from({ length: ROUNDS }, (_, r) => ({
      ...real,
      clones: real.clones.map((c, i) => (i === r * 7 % real.clones.length ? { ...c, state: c.state === 'paused' ? 'running' : 'paused', reason: 'user' } as CloneInfo : c)),
    }));
    const { times: base, items: baseItems } = rebuildBaseline(variants);
    const ours: number[] = [];
    let ourItems = 0;
    for (const inv of [real, ...variants]) {
      const t0 = performance.now();
      const ch = controller.model.update(inv);
      ourItems = 0;
      for (const n of ch.all ? controller.model.templates : ch.nodes) {
        render(n);
        ourItems++;
      }
      ours.push(performance.now() - t0);
    }
    ours.shift();
    report(`model part, baseline (rebuild, re-render all): median ${ms(median(base))}, ${baseItems} items re-rendered`);
    report(`model part, ours (update in place, changed only): median ${ms(median(ours))}, ${ourItems} item(s) re-rendered`);
    report(`ratio baseline/ours: ${(median(base) / median(ours)).toFixed(1)}x CPU time, ${(baseItems / Math.max(1, ourItems)).toFixed(0)}x items the view must re-render`);
  } catch (e) {
    report(`live part not run to the end: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    controller.dispose();
    if (made.length) {
      const [gone, rmMs] = await timed(() => service.run('rm', made.map(refOf)));
      report(`removed ${gone.done.length} of ${made.length} clones in ${(rmMs / 1000).toFixed(2)} s`);
    }
    service.dispose();
    bed.cleanup();
    report(bed.domains().length ? `cleanup: ${bed.domains().length} domains left` : 'cleanup: all domains and files removed');
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
