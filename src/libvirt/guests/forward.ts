/**
 * User-mode networking: a guest behind QEMU's user-mode NIC has no address the host can reach, so a free
 * 127.0.0.1 port is forwarded to its port 22 with the monitor's `hostfwd_add` (HMP through virsh). An existing
 * forward to that guest port is reused, so the port stays the same for the guest's lifetime.
 */
import * as net from 'node:net';
import { LibvirtError } from '../../core/errors';
import type { VirshCall } from './agent';

/** `info network`: the ids of the user-mode netdevs ("hostnet0"). */
export function parseUserNetdevs(out: string): string[] {
  const ids: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^[\s\\]*([^\s:]+): index=\d+,type=user\b/.exec(line);
    if (m) ids.push(m[1]!);
  }
  return ids;
}

export interface HostForward {
  /** The user-mode netdev ("hostnet0"). */
  readonly netdev: string;
  readonly hostAddress: string;
  readonly hostPort: number;
  readonly guestAddress: string;
  readonly guestPort: number;
}

/** `info usernet`: the TCP host forwards of each hub's netdev. */
export function parseUsernetForwards(out: string): HostForward[] {
  const rows: HostForward[] = [];
  let netdev = '';
  for (const line of out.split('\n')) {
    const hub = /^Hub\s+-?\d+\s+\(([^)]+)\):/.exec(line);
    if (hub) {
      netdev = hub[1]!;
      continue;
    }
    const m = /^\s*TCP\[HOST_FORWARD\]\s+\d+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s/.exec(line);
    if (m) rows.push({ netdev, hostAddress: m[1]!, hostPort: Number(m[2]), guestAddress: m[3]!, guestPort: Number(m[4]) });
  }
  return rows;
}

/** The HMP command that forwards 127.0.0.1:hostPort to the guest's port. */
export function hostfwdCommand(netdev: string, hostPort: number, guestPort: number): string {
  return `hostfwd_add ${netdev} tcp:127.0.0.1:${hostPort}-:${guestPort}`;
}

/** The monitor answers hostfwd_add with nothing on success, with a sentence on failure (exit status 0 either way). */
export function hostfwdFailure(out: string): string | undefined {
  const t = out.trim();
  return t ? t : undefined;
}

const hmp = (uuid: string, command: string): string[] => ['qemu-monitor-command', uuid, '--hmp', command];

/** A port on 127.0.0.1 free right now (the kernel's choice). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The user-mode netdevs of a running clone (none: it is on a network the host reaches directly). */
export async function userNetdevs(virsh: VirshCall, uuid: string, signal?: AbortSignal): Promise<string[]> {
  return parseUserNetdevs(await virsh(hmp(uuid, 'info network'), signal));
}

/** The existing 127.0.0.1 forward to the guest's `guestPort`, if any. */
export async function findForward(virsh: VirshCall, uuid: string, guestPort = 22, signal?: AbortSignal): Promise<HostForward | undefined> {
  const rows = parseUsernetForwards(await virsh(hmp(uuid, 'info usernet'), signal));
  return rows.find((r) => r.guestPort === guestPort && r.hostAddress === '127.0.0.1');
}

/**
 * The 127.0.0.1 port forwarded to the guest's `guestPort` through its first user-mode netdev: the existing
 * forward, else a new one on a free port (another port is tried when the chosen one was taken meanwhile).
 * Undefined when the clone has no user-mode NIC.
 */
export async function ensureForward(virsh: VirshCall, uuid: string, guestPort = 22, signal?: AbortSignal): Promise<number | undefined> {
  const netdev = (await userNetdevs(virsh, uuid, signal))[0];
  if (!netdev) return undefined;
  const existing = await findForward(virsh, uuid, guestPort, signal);
  if (existing) return existing.hostPort;
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    const failure = hostfwdFailure(await virsh(hmp(uuid, hostfwdCommand(netdev, port, guestPort)), signal));
    if (!failure) return port;
    last = failure;
  }
  throw new LibvirtError(`QEMU could not forward a 127.0.0.1 port to the guest's port ${guestPort}: ${last}`);
}
