/**
 * `virsh domstats --cpu-total --balloon --vcpu --interface --block` read into one sample per domain: counters as
 * libvirt gives them (CPU time in ns, bytes since the domain started), memory in KiB. Pure: fixtures captured
 * from real virsh output are in test/fixtures/virsh/.
 */

/** The stat groups one refresh asks for, as virsh's options. */
export const DOMSTATS_GROUPS: readonly string[] = ['--cpu-total', '--balloon', '--vcpu', '--interface', '--block'];

/** One domain's counters at one moment. */
export interface DomainSample {
  readonly name: string;
  /** It runs (or is paused): libvirt gave its CPU time. */
  readonly active: boolean;
  /** CPU time used by the domain since it started, in ns (cpu.time). */
  readonly cpuTimeNs: number;
  /** Time its vCPUs were ready to run but waited for a host CPU, in ns (sum of vcpu.N.delay). */
  readonly vcpuDelayNs: number;
  /** vCPUs online (vcpu.current); 1 when absent. */
  readonly vcpus: number;
  /** Memory the guest has now (balloon.current), KiB. */
  readonly memoryKiB: number;
  /** Memory the guest could have (balloon.maximum), KiB. */
  readonly maxMemoryKiB: number;
  /** Memory the guest sees and memory it leaves unused, KiB, when its balloon driver reports them. */
  readonly guestAvailableKiB?: number;
  readonly guestUnusedKiB?: number;
  /** Resident memory of the QEMU process on the host, KiB (balloon.rss). */
  readonly rssKiB?: number;
  /** Sums over the domain's disks and NICs, bytes. */
  readonly diskReadBytes: number;
  readonly diskWriteBytes: number;
  readonly netRxBytes: number;
  readonly netTxBytes: number;
}

const num = (m: ReadonlyMap<string, string>, key: string): number | undefined => {
  const v = m.get(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Sums `<group>.<i>.<field>` over i < `<group>.count`. */
function sumOver(m: ReadonlyMap<string, string>, group: string, field: string): number {
  const count = num(m, `${group}.count`) ?? 0;
  let total = 0;
  for (let i = 0; i < count; i++) total += num(m, `${group}.${i}.${field}`) ?? 0;
  return total;
}

/** Sum of vcpu.N.delay over the vCPUs libvirt lists (up to vcpu.maximum). */
function sumDelays(m: ReadonlyMap<string, string>): number {
  const count = num(m, 'vcpu.maximum') ?? num(m, 'vcpu.current') ?? 0;
  let total = 0;
  for (let i = 0; i < count; i++) total += num(m, `vcpu.${i}.delay`) ?? 0;
  return total;
}

function sampleOf(name: string, m: ReadonlyMap<string, string>): DomainSample {
  const available = num(m, 'balloon.available');
  const unused = num(m, 'balloon.unused');
  const rss = num(m, 'balloon.rss');
  return {
    name,
    // A shut-off domain still has cpu.time and balloon.current: vCPU states exist only while it runs.
    active: m.has('vcpu.0.state') || m.has('balloon.rss'),
    cpuTimeNs: num(m, 'cpu.time') ?? 0,
    vcpuDelayNs: sumDelays(m),
    vcpus: Math.max(1, num(m, 'vcpu.current') ?? 1),
    memoryKiB: num(m, 'balloon.current') ?? 0,
    maxMemoryKiB: num(m, 'balloon.maximum') ?? num(m, 'balloon.current') ?? 0,
    ...(available !== undefined && unused !== undefined ? { guestAvailableKiB: available, guestUnusedKiB: unused } : {}),
    ...(rss !== undefined ? { rssKiB: rss } : {}),
    diskReadBytes: sumOver(m, 'block', 'rd.bytes'),
    diskWriteBytes: sumOver(m, 'block', 'wr.bytes'),
    netRxBytes: sumOver(m, 'net', 'rx.bytes'),
    netTxBytes: sumOver(m, 'net', 'tx.bytes'),
  };
}

/** `domstats` output: blocks of "Domain: 'NAME'" followed by "  key=value" lines; one sample per domain, by name. */
export function parseDomstats(out: string): Map<string, DomainSample> {
  const result = new Map<string, DomainSample>();
  let name: string | undefined;
  let fields = new Map<string, string>();
  const flush = () => {
    if (name !== undefined) result.set(name, sampleOf(name, fields));
  };
  for (const line of out.split('\n')) {
    const d = /^Domain: '(.*)'\s*$/.exec(line);
    if (d) {
      flush();
      name = d[1]!;
      fields = new Map();
      continue;
    }
    const kv = /^\s+([\w.-]+)=(.*?)\s*$/.exec(line);
    if (kv && name !== undefined) fields.set(kv[1]!, kv[2]!);
  }
  flush();
  return result;
}
