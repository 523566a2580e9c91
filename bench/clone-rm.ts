/**
 * Clone and rm benchmark (not a test): `npx tsx bench/clone-rm.ts [--sizes 20,100] [--inventory 500] [--baseline-only]`.
 *
 * In one run on the real daemon, for each N:
 *   (a) the sequential way qq2clone (a bash tool) does it: per clone `qemu-img create`, `virt-clone --original-xml
 *       TEMPLATE.xml --name NAME --file OVERLAY --preserve-data --print-xml`, `virsh define`, `virsh domuuid`;
 *       rm per clone: `virsh domstate`, `virsh destroy` if running, `virsh undefine`, rm the overlay;
 *   (b) our service: clone(template, N), then run('rm', all of them).
 * Then the inventory of `--inventory` clones: our service's inventory() against qq2clone's per-clone `virsh
 * domstate`. Prints times and ratios; figures go to stdout (and bench/results/, git-ignored). Removes everything it
 * made, also on failure: domains by prefix, the scratch directory, and the storage pools virt-clone creates silently.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestBed, TEST_URI, tryVirsh, virsh } from '../test/testbed';
import type { CloneRef, LibvirtService } from '../src/libvirt/api';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const SIZES = arg('--sizes', '20,100').split(',').map(Number);
const INVENTORY = Number(arg('--inventory', '500'));
const BASELINE_ONLY = argv.includes('--baseline-only');

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const lines: string[] = [];
function report(line: string): void {
  lines.push(line);
  console.log(line);
}
async function timed<T>(f: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

/**
 * Counts what the service asks of libvirt tools: wrappers on PATH log each process, then run the real tool. A virsh
 * started without a command is an interactive session: its input goes through `tee` into a log, so the lines it
 * was sent (commands plus the service's reply markers) can be counted as well.
 */
function installProcessCounter(dir: string): { count: () => Record<string, number>; reset: () => void } {
  const log = path.join(dir, 'spawns.log');
  const input = path.join(dir, 'session-input.log');
  fs.mkdirSync(dir, { recursive: true });
  for (const tool of ['virsh', 'qemu-img']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    const session =
      tool === 'virsh'
        ? `interactive=1; skip=0
for a in "$@"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  case "$a" in -c|--connect|-l|--log|-k|--keepalive-interval|-K|--keepalive-count|-e|--escape|-d|--debug) skip=1;; -*) ;; *) interactive=0; break;; esac
done
if [ $interactive = 1 ]; then echo virsh-session >> '${log}'; tee -a '${input}' | '${real}' "$@"; exit; fi
`
        : '';
    fs.writeFileSync(path.join(dir, tool), `#!/bin/bash
echo ${tool} >> '${log}'
${session}exec '${real}' "$@"
`, { mode: 0o755 });
  }
  process.env.PATH = `${dir}:${process.env.PATH ?? ''}`;
  return {
    count: () => {
      const out: Record<string, number> = {};
      for (const l of (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '').split('\n').filter(Boolean)) out[l] = (out[l] ?? 0) + 1;
      const sent = (fs.existsSync(input) ? fs.readFileSync(input, 'utf8') : '').split('\n').filter(Boolean);
      if (sent.length) out['session input lines'] = sent.length;
      return out;
    },
    reset: () => {
      fs.rmSync(log, { force: true });
      // Truncated, not removed: running sessions' tee keeps appending to the same file.
      if (fs.existsSync(input)) fs.truncateSync(input, 0);
    },
  };
}

interface BaselineClone {
  name: string;
  uuid: string;
  overlay: string;
}

/** (a) qq2clone's way, one clone after another. */
function baselineCreate(bed: TestBed, templateXml: string, templateDisk: string, n: number, tag: string): BaselineClone[] {
  const dir = path.join(bed.root, `baseline-${tag}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const made: BaselineClone[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `${bed.prefix}-a${tag}-${i}`;
    const overlay = path.join(dir, `${name}.qcow2`);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', templateDisk, overlay]);
    const xml = execFileSync(
      'virt-clone',
      ['--connect', TEST_URI, '--original-xml', templateXml, '--name', name, '--file', overlay, '--preserve-data', '--print-xml'],
      { encoding: 'utf8' },
    );
    const xmlFile = path.join(dir, `${name}.xml`);
    fs.writeFileSync(xmlFile, xml);
    virsh('define', xmlFile);
    made.push({ name, uuid: virsh('domuuid', name).trim(), overlay });
  }
  return made;
}

function baselineRm(clones: readonly BaselineClone[]): void {
  for (const c of clones) {
    const state = virsh('domstate', c.uuid).trim();
    if (state === 'running' || state === 'paused' || state === 'idle') virsh('destroy', c.uuid);
    virsh('undefine', c.uuid);
    fs.rmSync(c.overlay, { force: true });
  }
}

async function serviceCreate(service: LibvirtService, template: string, n: number): Promise<CloneRef[]> {
  const made = await service.clone(template, n, { run: false });
  return made.map(({ template: t, id, uuid, name }) => ({ template: t, id, uuid, name }));
}

async function serviceRm(service: LibvirtService, refs: readonly CloneRef[]): Promise<void> {
  const r = await service.run('rm', refs);
  if (r.failed.length || r.cancelled.length || r.done.length !== refs.length) {
    throw new Error(`rm: ${r.done.length} done, ${r.skipped.length} skipped, ${r.failed.length} failed (${r.failed[0]?.error.message ?? ''})`);
  }
}

/** Pools whose target path lies inside `root` (virt-clone defines and autostarts one per directory it writes to). */
function poolsUnder(root: string): string[] {
  const names = (tryVirsh('pool-list', '--all', '--name') ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
  return names.filter((p) => {
    const target = /<path>([^<]*)<\/path>/.exec(tryVirsh('pool-dumpxml', p) ?? '')?.[1] ?? '';
    return target === root || target.startsWith(`${root}/`);
  });
}

async function main(): Promise<void> {
  const bed = new TestBed('bench');
  let service: LibvirtService | undefined;
  const started = new Date().toISOString();
  try {
    const counter = installProcessCounter(path.join(bed.root, 'bin'));
    const templateDir = path.join(bed.root, 'templates');
    const tpl = bed.makeTemplateFile(templateDir, 'tpl');
    report(`clone/rm benchmark, ${started}, ${TEST_URI}, template ${tpl.name} (empty 64M qcow2), clones not started`);
    report(`domains on the daemon at start: ${domainCount()}`);
    if (!BASELINE_ONLY) {
      const { createLibvirtService } = await import('../src/libvirt');
      service = createLibvirtService({ uri: TEST_URI, home: bed.root, templateDir, storage: path.join(bed.root, 'pool') });
      await service.probe();
      // The first define after a daemon start is slow; neither side should pay it inside its timing.
      await serviceRm(service, await serviceCreate(service, tpl.name, 1));
    }
    for (const n of SIZES) {
      const [a, aCreate] = await timed(() => baselineCreate(bed, tpl.xmlPath, tpl.disk, n, String(n)));
      const [, aRm] = await timed(() => baselineRm(a));
      report(`N=${n}  (a) qq2clone way:  create ${seconds(aCreate)} (${(aCreate / n).toFixed(0)} ms/clone), rm ${seconds(aRm)} (${(aRm / n).toFixed(0)} ms/clone)`);
      if (!service) continue;
      counter.reset();
      const [refs, bCreate] = await timed(() => serviceCreate(service!, tpl.name, n));
      const createSpawns = counter.count();
      counter.reset();
      const [, bRm] = await timed(() => serviceRm(service!, refs));
      const rmSpawns = counter.count();
      report(`N=${n}  (b) our service:   create ${seconds(bCreate)}, rm ${seconds(bRm)}; processes: create ${JSON.stringify(createSpawns)}, rm ${JSON.stringify(rmSpawns)}`);
      report(`N=${n}  ratio (a)/(b):     create ${(aCreate / bCreate).toFixed(1)}x, rm ${(aRm / bRm).toFixed(1)}x`);
    }
    if (service && INVENTORY > 0) {
      const [refs, made] = await timed(() => serviceCreate(service!, tpl.name, INVENTORY));
      report(`inventory: made ${refs.length} clones through the service in ${seconds(made)}`);
      /** Three timed inventory() calls; each call's processes and session commands (every command is sent with two marker lines). */
      const measure = async (label: string): Promise<number> => {
        const runs: string[] = [];
        let best = Infinity;
        for (let i = 0; i < 3; i++) {
          counter.reset();
          const [inv, ms] = await timed(() => service!.inventory());
          const c = counter.count();
          const ours = inv.clones.filter((x) => x.template === tpl.name).length;
          if (ours !== INVENTORY) throw new Error(`inventory saw ${ours} of ${INVENTORY} clones`);
          const procs = Object.entries(c).filter(([k]) => k !== 'session input lines').map(([k, v]) => `${v} ${k}`);
          runs.push(`${ms.toFixed(0)} ms (${(c['session input lines'] ?? 0) / 3} session commands${procs.length ? `, processes: ${procs.join(', ')}` : ''})`);
          best = Math.min(best, ms);
        }
        report(`inventory of ${domainCount()} domains (${INVENTORY} ours), ${label}: ${runs.join('; ')}`);
        return best;
      };
      const cold = await measure('cold (no event stream: every domain\'s metadata is read, pipelined)');
      // With an event stream running (as in the extension), the service caches each domain's bookkeeping.
      const events = service.onEvent(() => undefined);
      await new Promise((r) => setTimeout(r, 1500));
      await service.inventory();
      const warm = await measure('warm (event stream running: bookkeeping cached)');
      events.dispose();
      const [, perDomain] = await timed(() => refs.forEach((r) => virsh('domstate', r.uuid)));
      report(`inventory, qq2clone way (one virsh domstate process per clone, ${refs.length}): ${seconds(perDomain)}; ratio cold ${(perDomain / cold).toFixed(0)}x, warm ${(perDomain / warm).toFixed(0)}x`);
      const [, rmAll] = await timed(() => serviceRm(service!, refs));
      report(`rm of the ${refs.length} through the service: ${seconds(rmAll)}`);
    }
  } finally {
    service?.dispose();
    for (const p of poolsUnder(bed.root)) {
      tryVirsh('pool-destroy', p);
      tryVirsh('pool-undefine', p);
    }
    bed.cleanup();
    const left = bed.domains().length + poolsUnder(bed.root).length;
    report(left ? `cleanup: ${left} domains/pools could not be removed` : 'cleanup: all domains, pools and files removed');
    const resultsDir = path.join(__dirname, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(path.join(resultsDir, `clone-rm-${started.replace(/[:.]/g, '-')}.txt`), `${lines.join('\n')}\n`);
  }
}

function domainCount(): number {
  return (tryVirsh('list', '--all', '--name') ?? '').split('\n').filter((s) => s.trim()).length;
}

main().catch((e: unknown) => {
  console.error(`benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
