/** Setting a clone's power-off policy in its bookkeeping (the XML side is domain/policyXml.ts). */
import { LibvirtError, UsageError } from '../../core/errors';
import type { LibvirtService } from '../api';
import { forgetDomain, virshVia } from '../serviceCore';
import { parseDomain, type CloneMeta } from '../domain';
import { writeBookkeeping } from '../snapshots';
import { RESET_DROPS_SNAPSHOTS, type PowerOffPolicy } from '../../core/powerOffPolicy';

/**
 * Sets a clone's power-off policy in its bookkeeping: in its persistent definition, and in the running one too
 * when it runs (the qemu hook reads the running definition when it stops). Returns the bookkeeping written.
 * reset is refused (UsageError, saying what to do) for a clone with snapshots: they live in the overlays reset
 * would make afresh; a front end that lets the user drop them deletes them first.
 */
export async function setClonePolicy(svc: LibvirtService, uuid: string, policy: PowerOffPolicy, signal?: AbortSignal): Promise<CloneMeta> {
  if (policy.action === 'reset' && (await svc.snapshots(uuid, signal)).length) throw new UsageError(`reset is refused: ${RESET_DROPS_SNAPSHOTS}.`);
  const xml = await virshVia(svc, ['dumpxml', '--inactive', uuid], signal);
  const d = parseDomain(xml);
  if (!d.meta) throw new LibvirtError(`Domain ${uuid} has no qq2clone bookkeeping any more.`);
  const rest: CloneMeta = { ...d.meta };
  delete (rest as { policy?: unknown }).policy;
  const meta: CloneMeta = policy.action === 'keep' ? rest : { ...rest, policy };
  try {
    await writeBookkeeping((a, s) => virshVia(svc, a, s), uuid, meta, signal);
  } finally {
    forgetDomain(svc, uuid);
  }
  return meta;
}
