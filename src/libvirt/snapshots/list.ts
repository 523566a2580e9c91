/**
 * Reading clones' snapshots: for all the clones asked about, their snapshot names and current snapshot in one
 * pipelined round trip, then every snapshot's document in one more.
 */
import { LibvirtError, type Qq2Error } from '../../core/errors';
import type { SnapshotInfo } from '../api';
import type { ServiceCore } from '../serviceCore';
import { domainGone } from '../process';
import { parseLines } from '../virsh';
import { newestFirst, parseSnapshotXml } from './parse';
import { snapshotListArgs, snapshotXmlArgs } from './snapshotOps';

/** Snapshots of these clones (by UUID), newest first, the current one marked; clones that are gone are left out. */
export async function readSnapshots(core: ServiceCore, uuids: readonly string[], signal?: AbortSignal): Promise<Map<string, SnapshotInfo[]>> {
  const out = new Map<string, SnapshotInfo[]>();
  if (!uuids.length) return out;
  const spread = Math.ceil(uuids.length / 32);
  const lists = await core.virshBatch(uuids.flatMap(snapshotListArgs), signal, spread);
  const wanted: { uuid: string; name: string; current: boolean }[] = [];
  uuids.forEach((uuid, i) => {
    const names = lists[2 * i]!;
    const current = lists[2 * i + 1]!;
    if (names.status === 'rejected') {
      if (domainGone(names.reason)) return;
      throw names.reason as Qq2Error;
    }
    // No current snapshot is an error answer ("has no current snapshot"): none is marked.
    const cur = current.status === 'fulfilled' ? current.value.trim() : undefined;
    out.set(uuid, []);
    for (const name of parseLines(names.value)) wanted.push({ uuid, name, current: name === cur });
  });
  const docs = wanted.length ? await core.virshBatch(wanted.map((w) => snapshotXmlArgs(w.uuid, w.name)), signal, spread) : [];
  docs.forEach((d, i) => {
    const w = wanted[i]!;
    if (d.status === 'rejected') {
      // Deleted, or the clone undefined, between the two round trips: left out.
      if (/not found|no domain snapshot/i.test((d.reason as Error)?.message ?? '') || domainGone(d.reason)) return;
      throw new LibvirtError(`Could not read snapshot ${w.name} of ${w.uuid}: ${(d.reason as Error)?.message ?? String(d.reason)}`);
    }
    out.get(w.uuid)!.push(parseSnapshotXml(d.value, w.current));
  });
  for (const [k, v] of out) out.set(k, newestFirst(v));
  return out;
}
