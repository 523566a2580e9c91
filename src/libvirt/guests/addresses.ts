/**
 * A running clone's addresses from libvirt's three `domifaddr` sources, tried in order: the guest agent (when it
 * answers), libvirt's DHCP leases, the host's ARP table. Pure parser of virsh's table plus the read itself.
 */
import { CancelledError } from '../../core/errors';
import type { VirshCall } from './agent';

export type AddressSource = 'agent' | 'lease' | 'arp';
export const ADDRESS_SOURCES: readonly AddressSource[] = ['agent', 'lease', 'arp'];

export interface InterfaceAddress {
  /** Interface name as the source reports it ("eth0", "vnet3"). */
  readonly iface: string;
  readonly mac: string;
  readonly protocol: 'ipv4' | 'ipv6';
  /** The address without its prefix length. */
  readonly address: string;
  readonly prefix?: number;
}

/**
 * `domifaddr` output: a header, a rule, then one row per address; further addresses of the same interface have
 * "-" for name and MAC (they inherit the row above).
 */
export function parseDomifaddr(out: string): InterfaceAddress[] {
  const rows: InterfaceAddress[] = [];
  let iface = '';
  let mac = '';
  for (const line of out.split('\n')) {
    const m = /^\s*(\S+)\s+(\S+)\s+(ipv4|ipv6)\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    if (m[1] !== '-') iface = m[1]!;
    if (m[2] !== '-') mac = m[2]!;
    const [address, prefix] = m[4]!.split('/');
    rows.push({ iface, mac, protocol: m[3] as 'ipv4' | 'ipv6', address: address!, ...(prefix ? { prefix: Number(prefix) } : {}) });
  }
  return rows;
}

/** Addresses worth showing: not loopback, not IPv6 link-local; IPv4 first, order otherwise kept. */
export function usefulAddresses(rows: readonly InterfaceAddress[]): InterfaceAddress[] {
  const keep = rows.filter((r) => !/^127\./.test(r.address) && r.address !== '::1' && !/^fe80:/i.test(r.address));
  return [...keep.filter((r) => r.protocol === 'ipv4'), ...keep.filter((r) => r.protocol === 'ipv6')];
}

export interface CloneAddresses {
  /** The source that answered with addresses; undefined when none did. */
  readonly source?: AddressSource;
  readonly addresses: readonly InterfaceAddress[];
  /** Why each source that was tried gave nothing (for a tooltip or -v). */
  readonly tried: readonly { readonly source: AddressSource; readonly problem: string }[];
}

/** Reads a clone's addresses: the first source with a useful address wins. */
export async function readAddresses(virsh: VirshCall, uuid: string, signal?: AbortSignal): Promise<CloneAddresses> {
  const tried: { source: AddressSource; problem: string }[] = [];
  for (const source of ADDRESS_SOURCES) {
    try {
      const found = usefulAddresses(parseDomifaddr(await virsh(['domifaddr', uuid, '--source', source], signal)));
      if (found.length) return { source, addresses: found, tried };
      tried.push({ source, problem: 'no address' });
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      tried.push({ source, problem: e instanceof Error ? e.message : String(e) });
    }
  }
  return { addresses: [], tried };
}

/** "10.0.2.15 fd00::5" (addresses without prefixes, space-separated). */
export function addressText(a: CloneAddresses): string {
  return [...new Set(a.addresses.map((x) => x.address))].join(' ');
}
