/**
 * Clone identity benchmark (not a test): `npx tsx bench/identity.ts [--counts 20,100] [--baseline 2]`.
 *
 * On qcow2 overlays of the test guest's root image (test/guest: busybox, dropbear), in one run:
 *   (a) the baseline: one `virt-customize` per clone with the same operations (--write of /etc/hostname, /etc/hosts
 *       and /etc/machine-id, --upload of an ed25519 host key made here for dropbear, --write of root's
 *       authorized_keys, --chmod of both), on --baseline clones only: each run starts its own appliance, so its
 *       time per clone is flat and N clones are scaled as N x the mean (printed as scaled);
 *   (b) ours: writeIdentities (what the service's writeCloneIdentities runs for a `clone N`) gives each --counts N
 *       new clones their identity (default hostname pattern, machine-id, host key pinned in a known-hosts file, an
 *       authorized key) with one libguestfs appliance per group of up to MAX_DRIVES clones (the helper's launchGroups;
 *       each clone mounted, written and unmounted in its turn).
 * Prints the times, how (b) splits into its appliance start and a cost per clone, and the ratios against (a).
 * Results also go to bench/results/ (git-ignored). Removes what it made.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_HOSTNAME_PATTERN } from '../src/core/hostnamePattern';
import { identityJob, MAX_DRIVES, newHostKey, newMachineId, writeIdentities, type IdentityWritten } from '../src/libvirt/identity';
import { ensureGuest } from '../test/guest';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const COUNTS = arg('--counts', '20,100').split(',').map(Number);
const BASELINE = Number(arg('--baseline', '2'));
const TEMPLATE = 'bench';

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = (): string => `load ${os.loadavg()[0]!.toFixed(1)}`;
const lines: string[] = [];
function say(line: string): void {
  lines.push(line);
  console.log(line);
}

/** n qcow2 overlays of the guest image (what `clone N` makes before it writes identities; not timed). */
function overlays(dir: string, base: string, n: number, tag: string): string[] {
  return Array.from({ length: n }, (_, i) => {
    const o = path.join(dir, `${tag}-${i + 1}.qcow2`);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, o]);
    return o;
  });
}

/** What a clone's disk must hold after its identity was written. */
interface Expected {
  disk: string;
  hostname: string;
  machineId: string;
}

/** (a) One virt-customize per clone; the time of each. */
function baseline(dir: string, base: string, userKey: string, expect: Expected[]): number[] {
  const env = { ...process.env, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' };
  return overlays(dir, base, BASELINE, 'vc').map((disk, i) => {
    const name = `${TEMPLATE}-${i + 1}`;
    const key = newHostKey(`root@${name}`);
    const machineId = newMachineId();
    expect.push({ disk, hostname: name, machineId });
    const keyFile = path.join(dir, `vc-${i + 1}.key`);
    fs.writeFileSync(keyFile, key.dropbear, { mode: 0o600 });
    const t0 = performance.now();
    const r = spawnSync(
      'virt-customize',
      [
        '-q', '--no-network', '--format', 'qcow2', '-a', disk,
        '--write', `/etc/hostname:${name}\n`,
        '--write', `/etc/hosts:127.0.0.1 localhost\n127.0.1.1 ${name}\n`,
        '--write', `/etc/machine-id:${machineId}\n`,
        '--upload', `${keyFile}:/etc/dropbear/dropbear_ed25519_host_key`,
        '--chmod', '0600:/etc/dropbear/dropbear_ed25519_host_key',
        '--write', `/root/.ssh/authorized_keys:${userKey}\n`,
        '--chmod', '0600:/root/.ssh/authorized_keys',
      ],
      { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const ms = performance.now() - t0;
    const out = `${r.stdout}${r.stderr}`;
    if (r.status !== 0) throw new Error(`virt-customize failed (${r.error?.message ?? `exit ${r.status}`}): ${out.trim()}`);
    say(`  (a) virt-customize, clone ${i + 1}: ${s(ms)} (${load()})${out.trim() ? `; it printed: ${out.trim()}` : ''}`);
    return ms;
  });
}

interface BatchTimes {
  total: number;
  /** From the start to the first clone written: the first appliance's start and one clone. */
  first: number;
  /** Median time between two clones written. */
  perClone: number;
  /** From the last clone written to the end (the appliance's clean shutdown, pinning the keys). */
  close: number;
}

/** (b) writeIdentities on n new overlays; checks every clone got its identity and its host key pinned. */
async function batch(dir: string, base: string, n: number, userKey: string, expect: Expected[]): Promise<BatchTimes> {
  const setting = { hostname: DEFAULT_HOSTNAME_PATTERN, user: 'root', authorizedKey: userKey };
  const jobs = overlays(dir, base, n, `batch${n}`).map((disk, i) =>
    identityJob({ template: TEMPLATE, id: i + 1, name: `${TEMPLATE}-${i + 1}`, uuid: `00000000-0000-4000-8000-${String(n * 1000 + i + 1).padStart(12, '0')}` }, '', setting, [disk]),
  );
  const knownHosts = path.join(dir, `known_hosts-${n}`);
  const marks: number[] = [];
  const t0 = performance.now();
  const onProgress = (done: number): void => {
    marks.push(performance.now());
    // A run cut short (N=100 can take long under load) still shows how far it got and at what pace.
    if (done === 1 || done % 10 === 0) console.log(`      ${done} of ${n} written at ${s(marks.at(-1)! - t0)} (${load()})`);
  };
  const r = await writeIdentities(jobs, { knownHosts, onProgress });
  const total = performance.now() - t0;
  const bad = jobs.filter((j) => !r.has(j.uuid) || r.get(j.uuid) instanceof Error);
  if (bad.length) throw new Error(`${bad.length} of ${n} identities not written; the first: ${String(r.get(bad[0]!.uuid) ?? 'missing')}`);
  const noKey = jobs.filter((j) => !(r.get(j.uuid) as IdentityWritten).servers.includes('dropbear'));
  if (noKey.length) throw new Error(`${noKey.length} of ${n} clones got no dropbear host key`);
  const pinned = fs.readFileSync(knownHosts, 'utf8');
  const unpinned = jobs.filter((j) => !pinned.includes(j.uuid));
  if (unpinned.length) throw new Error(`${unpinned.length} of ${n} host keys not pinned in ${knownHosts}`);
  jobs.slice(0, 2).forEach((j) => expect.push({ disk: j.disks[0]!, hostname: j.hostname, machineId: (r.get(j.uuid) as IdentityWritten).applied.machineId }));
  const gaps = marks.slice(1).map((m, i) => m - marks[i]!);
  return { total, first: marks[0]! - t0, perClone: gaps.length ? median(gaps) : NaN, close: t0 + total - marks.at(-1)! };
}

/**
 * Reads back, with one read-only guestfish appliance (not timed), what both ways wrote into the first clones' disks,
 * next to the template image's: the hostname and machine-id expected, the user's key authorized, a host key unlike the
 * template's and each other's. Throws on the first difference.
 */
function verify(base: string, userKey: string, expect: readonly Expected[]): void {
  const disks = [base, ...expect.map((e) => e.disk)];
  const args = ['--ro', '--format=qcow2', ...disks.flatMap((d) => ['-a', d]), 'run'];
  disks.forEach((_, i) => {
    const dev = `/dev/sd${String.fromCharCode(97 + i)}`;
    args.push(':', 'echo', `@@${i}`, ':', 'mount-ro', dev, '/', ':', 'cat', '/etc/hostname', ':', 'cat', '/etc/machine-id');
    args.push(':', 'checksum', 'sha256', '/etc/dropbear/dropbear_ed25519_host_key', ':', 'cat', '/root/.ssh/authorized_keys', ':', 'umount', '/');
  });
  const env = { ...process.env, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' };
  const out = execFileSync('guestfish', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const read = out.split(/^@@\d+\n/m).slice(1).map((part) => {
    const [hostname, machineId, keySum, ...keys] = part.split('\n').filter((l) => l.trim());
    return { hostname, machineId, keySum, keys };
  });
  if (read.length !== disks.length) throw new Error(`guestfish read ${read.length} of ${disks.length} disks:\n${out}`);
  const sums = new Set(read.map((r) => r.keySum));
  if (sums.size !== disks.length) throw new Error(`host keys not all different from each other and the template's: ${[...sums].join(' ')}`);
  expect.forEach((e, i) => {
    const r = read[i + 1]!;
    if (r.hostname !== e.hostname || r.machineId !== e.machineId || !r.keys.includes(userKey))
      throw new Error(`${path.basename(e.disk)} holds ${JSON.stringify(r)}, not hostname ${e.hostname}, machine-id ${e.machineId} and the user's key`);
  });
  say(`  checked (read back, not timed): ${expect.map((e) => `${path.basename(e.disk)} ${e.hostname}`).join(', ')}: hostname, machine-id, authorized key, host key new`);
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const base = ensureGuest().rootImage;
  const dir = fs.mkdtempSync(path.join('/var/tmp', 'qq2clone-bench-identity-'));
  const userKey = newHostKey('bench@host').publicLine;
  try {
    say(`clone identity benchmark, ${started}, ${os.cpus().length} CPUs, ${load()}, libguestfs direct backend, TCG (no /dev/kvm)`);
    say(`  disks: qcow2 overlays of the test guest ${base}; each clone: hostname, /etc/hosts, machine-id, dropbear host key, root's authorized key`);
    const expect: Expected[] = [];
    const per = baseline(dir, base, userKey, expect);
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    say(`  (a) virt-customize: mean ${s(mean)} per clone, measured on ${per.length} clone(s); N clones scaled linearly as N x ${s(mean)}`);
    const times = new Map<number, BatchTimes>();
    for (const n of COUNTS) {
      const b = await batch(dir, base, n, userKey, n === COUNTS.at(-1) ? expect : []);
      times.set(n, b);
      say(
        `  (b) ${Math.ceil(n / MAX_DRIVES)} appliance(s) of up to ${MAX_DRIVES} clones, ${n} clones: ${s(b.total)} (${load()}): first appliance start to the first clone written ${s(b.first)}, ` +
          `then ${Number.isNaN(b.perClone) ? '-' : s(b.perClone)} per clone (median), close ${s(b.close)}`,
      );
    }
    const [n1, n2] = [COUNTS[0]!, COUNTS.at(-1)!];
    if (n2 !== n1) {
      const slope = (times.get(n2)!.total - times.get(n1)!.total) / (n2 - n1);
      const fixed = times.get(n1)!.total - n1 * slope;
      say(
        fixed > 0
          ? `  (b) from the ${n1} and ${n2} runs: about ${s(fixed)} fixed (appliance start and close) plus ${s(slope)} per clone (the later groups' appliance starts included)`
          : `  (b) from the ${n1} and ${n2} runs: ${s(slope)} per added clone, and no fixed part fits (${s(fixed)}): the cost per clone grows with the clones in the appliance`,
      );
    }
    verify(base, userKey, expect);
    for (const n of COUNTS) {
      const b = times.get(n)!.total;
      say(`N=${n}: virt-customize per clone ${s(n * mean)} (scaled from ${per.length} measured) vs ${Math.ceil(n / MAX_DRIVES)} appliance(s) ${s(b)} (measured): ${((n * mean) / b).toFixed(1)}x faster`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    const results = path.join(__dirname, 'results');
    fs.mkdirSync(results, { recursive: true });
    fs.writeFileSync(path.join(results, `identity-${started.replace(/[:.]/g, '-')}.txt`), `${lines.join('\n')}\n`);
  }
}

main().catch((e: unknown) => {
  console.error(`benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
