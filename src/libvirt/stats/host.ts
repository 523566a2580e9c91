/** The host's figures from `nodeinfo`, `nodecpustats` and `nodememstats` (pure parsers of virsh's output). */

/** What `nodeinfo` says of the host that does not change. */
export interface HostInfo {
  readonly cpus: number;
  /** KiB. */
  readonly memoryKiB: number;
}

/** Cumulative host CPU times (ns, all CPUs) and memory now (KiB). */
export interface HostSample {
  readonly busyNs: number;
  readonly idleNs: number;
  readonly memTotalKiB: number;
  /** Free + buffers + cached: what the host could give to guests without swapping. */
  readonly memAvailableKiB: number;
}

/** "Key:   value [unit]" lines into key -> number. */
function colonNumbers(out: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    const kv = /^\s*([^:]+?)\s*:\s*(\d+)/.exec(line);
    if (kv) m.set(kv[1]!.toLowerCase(), Number(kv[2]));
  }
  return m;
}

/** `nodeinfo`: "CPU(s):  2", "Memory size:  4025360 KiB". */
export function parseNodeInfo(out: string): HostInfo {
  const m = colonNumbers(out);
  return { cpus: m.get('cpu(s)') ?? 1, memoryKiB: m.get('memory size') ?? 0 };
}

/** `nodecpustats` (cumulative, ns) and `nodememstats` (KiB) of one moment. */
export function parseHostSample(cpuOut: string, memOut: string): HostSample {
  const c = colonNumbers(cpuOut);
  const mem = colonNumbers(memOut);
  const idle = (c.get('idle') ?? 0) + (c.get('iowait') ?? 0);
  const busy = (c.get('user') ?? 0) + (c.get('system') ?? 0);
  return {
    busyNs: busy,
    idleNs: idle,
    memTotalKiB: mem.get('total') ?? 0,
    memAvailableKiB: (mem.get('free') ?? 0) + (mem.get('buffers') ?? 0) + (mem.get('cached') ?? 0),
  };
}
