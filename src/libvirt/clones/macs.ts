/**
 * The MAC addresses in use on a connection, so that a new clone's (or staging clone's) interfaces never share one
 * with another domain: every domain's persistent definition, and the live one of running domains (an interface
 * plugged in while running is only there), read in pipelined writes.
 */
import type { ServiceCore } from '../serviceCore';
import { parseLines } from '../virsh';

const MAC_XPATH = '/domain/devices/interface/mac/@address';

/** The MACs of `dumpxml --xpath .../mac/@address` output (` address="52:54:00:.."` per line), lower case. */
export function parseMacAttributes(text: string): string[] {
  return [...text.matchAll(/address=["']([0-9a-fA-F:]{17})["']/g)].map((m) => m[1]!.toLowerCase());
}

/** Every MAC address of every domain on the connection (lower case). A domain that vanished meanwhile is skipped. */
export async function connectionMacs(core: Pick<ServiceCore, 'virshBatch'>, signal?: AbortSignal): Promise<Set<string>> {
  const [all, active] = await core.virshBatch([['list', '--all', '--uuid'], ['list', '--uuid']], signal);
  for (const r of [all, active]) if (r?.status === 'rejected') throw r.reason;
  const uuids = parseLines((all as PromiseFulfilledResult<string>).value);
  const running = parseLines((active as PromiseFulfilledResult<string>).value);
  const commands = [
    ...uuids.map((u) => ['dumpxml', '--inactive', '--xpath', MAC_XPATH, u]),
    ...running.map((u) => ['dumpxml', '--xpath', MAC_XPATH, u]),
  ];
  const macs = new Set<string>();
  if (!commands.length) return macs;
  const answers = await core.virshBatch(commands, signal, Math.ceil(commands.length / 64));
  for (const a of answers) if (a.status === 'fulfilled') for (const m of parseMacAttributes(a.value)) macs.add(m);
  return macs;
}
