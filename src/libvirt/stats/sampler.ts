/**
 * Reads the usage of running clones and of the host: per refresh one `domstats` for all the clones asked about
 * and the host's `nodecpustats`/`nodememstats`, written at once to one virsh session (one round trip). Rates come
 * from the sample before, kept here per domain.
 */
import type { LibvirtService } from '../api';
import { virshBatchVia } from '../serviceCore';
import { DOMSTATS_GROUPS, parseDomstats, type DomainSample } from './domstats';
import { parseHostSample, parseNodeInfo, type HostInfo, type HostSample } from './host';
import { domainUsage, hostUsage, type DomainUsage, type HostUsage } from './rates';

/** One refresh: every clone asked about that runs, and the host. */
export interface UsageSnapshot {
  /** When it was read (ms since the epoch). */
  readonly at: number;
  /** Seconds since the sample the rates are from (0 on the first refresh: rates and CPU are 0 then). */
  readonly seconds: number;
  /** By domain name; clones not running are absent. */
  readonly domains: ReadonlyMap<string, DomainUsage>;
  readonly host: HostUsage;
  readonly hostInfo: HostInfo;
}

const domstatsArgs = (names: readonly string[]): string[] => ['domstats', ...DOMSTATS_GROUPS, ...(names.length ? names : ['--list-running'])];

export class UsageSampler {
  private before = new Map<string, { sample: DomainSample; at: number }>();
  private hostBefore: { sample: HostSample; at: number } | undefined;
  private info: HostInfo | undefined;

  constructor(private readonly svc: LibvirtService) {}

  /**
   * Reads the running domains among `names` (all running domains of the connection when empty) and the host.
   * A domain gone since the list was made does not fail the refresh: the running ones are read again by state.
   */
  async sample(names: readonly string[], signal?: AbortSignal): Promise<UsageSnapshot> {
    const t0 = Date.now();
    const node: string[][] = [['nodecpustats'], ['nodememstats'], ...(this.info ? [] : [['nodeinfo']])];
    const [dom, cpu, mem, info] = await virshBatchVia(this.svc, [domstatsArgs(names), ...node], signal);
    let domOut: string;
    if (dom!.status === 'fulfilled') domOut = dom!.value;
    else if (names.length) {
      const wanted = new Set(names);
      const all = parseDomstatsText(await virshBatchVia(this.svc, [domstatsArgs([])], signal));
      domOut = all.filter((b) => wanted.has(b.name)).map((b) => b.text).join('\n');
    } else throw dom!.reason;
    if (cpu!.status === 'rejected') throw cpu!.reason;
    if (mem!.status === 'rejected') throw mem!.reason;
    if (info) {
      if (info.status === 'rejected') throw info.reason;
      this.info = parseNodeInfo(info.value);
    }
    const at = (t0 + Date.now()) / 2;
    const host = parseHostSample(cpu!.value, mem!.value);
    const samples = parseDomstats(domOut);
    const domains = new Map<string, DomainUsage>();
    const next = new Map<string, { sample: DomainSample; at: number }>();
    for (const [name, s] of samples) {
      // Domains that are not running have no CPU time: they are left out.
      if (!s.active) continue;
      const prev = this.before.get(name);
      domains.set(name, domainUsage(prev?.sample, s, prev ? (at - prev.at) / 1000 : 0));
      next.set(name, { sample: s, at });
    }
    const hostPrev = this.hostBefore;
    this.before = next;
    this.hostBefore = { sample: host, at };
    return {
      at,
      seconds: hostPrev ? (at - hostPrev.at) / 1000 : 0,
      domains,
      host: hostUsage(hostPrev?.sample, host),
      hostInfo: this.info!,
    };
  }
}

/** Splits domstats output into its domains' blocks (text kept). */
function parseDomstatsText(results: PromiseSettledResult<string>[]): { name: string; text: string }[] {
  const r = results[0]!;
  if (r.status === 'rejected') throw r.reason;
  return r.value
    .split(/\n(?=Domain: ')/)
    .map((text) => ({ name: /^Domain: '(.*)'/.exec(text)?.[1] ?? '', text }))
    .filter((b) => b.name);
}
