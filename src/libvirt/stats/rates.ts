/**
 * Usage from two samples of the same counters: CPU as a percentage of the domain's vCPUs, byte counters as rates,
 * memory as of the later sample. Pure.
 */
import type { DomainSample } from './domstats';
import type { HostSample } from './host';

/** A clone's use between two samples. */
export interface DomainUsage {
  readonly name: string;
  /** Percentage of its vCPUs (100 = every vCPU busy), 0..100. */
  readonly cpuPercent: number;
  /**
   * Percentage of its vCPUs' time spent ready to run but waiting for a host CPU (vcpu.N.delay): on a busy host a
   * guest that wants every vCPU shows cpuPercent + cpuWaitPercent near 100.
   */
  readonly cpuWaitPercent: number;
  readonly vcpus: number;
  /** Memory in use, KiB: what the guest reports using when it reports it, else the QEMU process's resident size. */
  readonly memUsedKiB: number;
  /** The memory it has, KiB. */
  readonly memKiB: number;
  /** Where memUsedKiB comes from. */
  readonly memSource: 'guest' | 'host';
  readonly diskReadBps: number;
  readonly diskWriteBps: number;
  readonly netRxBps: number;
  readonly netTxBps: number;
  /** Its vCPUs want all their time (cpuPercent + cpuWaitPercent at least FULL_CPU_PERCENT). */
  readonly fullCpu: boolean;
  /** The guest reports less than OUT_OF_MEMORY_FRACTION of its memory unused. */
  readonly outOfMemory: boolean;
}

/** The host's use between two samples. */
export interface HostUsage {
  /** Percentage of all host CPUs, 0..100. */
  readonly cpuPercent: number;
  readonly memUsedKiB: number;
  readonly memTotalKiB: number;
}

/** At or above this CPU percentage a clone is marked busy. */
export const FULL_CPU_PERCENT = 90;
/** Below this fraction of its memory unused (as the guest reports it) a clone is marked out of memory. */
export const OUT_OF_MEMORY_FRACTION = 0.05;

const rate = (before: number, after: number, seconds: number): number => (seconds > 0 && after >= before ? (after - before) / seconds : 0);
const clampPercent = (p: number): number => Math.min(100, Math.max(0, p));

/** A clone's usage from its samples `seconds` apart; without an earlier sample (or after a restart) rates are 0. */
export function domainUsage(before: DomainSample | undefined, after: DomainSample, seconds: number): DomainUsage {
  // A counter that went down means the domain restarted in between: no rate from that pair.
  const b = before && after.cpuTimeNs >= before.cpuTimeNs ? before : undefined;
  const cpuPercent = b && seconds > 0 ? clampPercent(((after.cpuTimeNs - b.cpuTimeNs) / 1e9 / seconds / after.vcpus) * 100) : 0;
  const perVcpu = (ns: number): number => (b && seconds > 0 ? clampPercent((ns / 1e9 / seconds / after.vcpus) * 100) : 0);
  const cpuWaitPercent = b && after.vcpuDelayNs >= b.vcpuDelayNs ? Math.min(100 - cpuPercent, perVcpu(after.vcpuDelayNs - b.vcpuDelayNs)) : 0;
  const guest = after.guestAvailableKiB !== undefined && after.guestUnusedKiB !== undefined && after.guestAvailableKiB > 0;
  const memUsedKiB = guest ? after.guestAvailableKiB! - after.guestUnusedKiB! : (after.rssKiB ?? 0);
  return {
    name: after.name,
    cpuPercent,
    cpuWaitPercent,
    vcpus: after.vcpus,
    memUsedKiB,
    memKiB: after.memoryKiB,
    memSource: guest ? 'guest' : 'host',
    diskReadBps: b ? rate(b.diskReadBytes, after.diskReadBytes, seconds) : 0,
    diskWriteBps: b ? rate(b.diskWriteBytes, after.diskWriteBytes, seconds) : 0,
    netRxBps: b ? rate(b.netRxBytes, after.netRxBytes, seconds) : 0,
    netTxBps: b ? rate(b.netTxBytes, after.netTxBytes, seconds) : 0,
    fullCpu: b !== undefined && cpuPercent + cpuWaitPercent >= FULL_CPU_PERCENT,
    outOfMemory: guest && after.guestUnusedKiB! < after.guestAvailableKiB! * OUT_OF_MEMORY_FRACTION,
  };
}

/** The host's usage from two samples (CPU 0 without an earlier one). */
export function hostUsage(before: HostSample | undefined, after: HostSample): HostUsage {
  const busy = before ? after.busyNs - before.busyNs : 0;
  const all = before ? busy + after.idleNs - before.idleNs : 0;
  return {
    cpuPercent: all > 0 ? clampPercent((busy / all) * 100) : 0,
    memUsedKiB: Math.max(0, after.memTotalKiB - after.memAvailableKiB),
    memTotalKiB: after.memTotalKiB,
  };
}

/** The sum of several clones' usage (a template's row): CPU as a percentage of all their vCPUs. */
export function sumUsage(name: string, parts: readonly DomainUsage[]): DomainUsage {
  const vcpus = parts.reduce((s, p) => s + p.vcpus, 0);
  const add = (k: 'memUsedKiB' | 'memKiB' | 'diskReadBps' | 'diskWriteBps' | 'netRxBps' | 'netTxBps'): number => parts.reduce((s, p) => s + p[k], 0);
  const weighted = (k: 'cpuPercent' | 'cpuWaitPercent'): number => (vcpus > 0 ? parts.reduce((s, p) => s + p[k] * p.vcpus, 0) / vcpus : 0);
  return {
    name,
    cpuPercent: weighted('cpuPercent'),
    cpuWaitPercent: weighted('cpuWaitPercent'),
    vcpus,
    memUsedKiB: add('memUsedKiB'),
    memKiB: add('memKiB'),
    memSource: parts.every((p) => p.memSource === 'guest') ? 'guest' : 'host',
    diskReadBps: add('diskReadBps'),
    diskWriteBps: add('diskWriteBps'),
    netRxBps: add('netRxBps'),
    netTxBps: add('netTxBps'),
    fullCpu: parts.some((p) => p.fullCpu),
    outOfMemory: parts.some((p) => p.outOfMemory),
  };
}
