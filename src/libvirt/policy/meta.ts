/** Setting a clone's power-off policy in its bookkeeping (the XML side is domain/policyXml.ts). */
import { LibvirtError } from '../../core/errors';
import type { LibvirtService } from '../api';
import { forgetDomain, tryVirshVia, virshVia } from '../serviceCore';
import { bareMetaElement, CLONE_NS, parseDomain, type CloneMeta } from '../domain';
import type { PowerOffPolicy } from '../../core/powerOffPolicy';

/**
 * Sets a clone's power-off policy in its bookkeeping: in its persistent definition, and in the running one too
 * when it runs (the qemu hook reads the running definition when it stops). Returns the bookkeeping written.
 */
export async function setClonePolicy(svc: LibvirtService, uuid: string, policy: PowerOffPolicy, signal?: AbortSignal): Promise<CloneMeta> {
  const xml = await virshVia(svc, ['dumpxml', '--inactive', uuid], signal);
  const d = parseDomain(xml);
  if (!d.meta) throw new LibvirtError(`Domain ${uuid} has no qq2clone bookkeeping any more.`);
  const rest: CloneMeta = { ...d.meta };
  delete (rest as { policy?: unknown }).policy;
  const meta: CloneMeta = policy.action === 'keep' ? rest : { ...rest, policy };
  const args = ['metadata', uuid, CLONE_NS, '--key', 'q2c', '--set', bareMetaElement(meta)];
  await virshVia(svc, [...args, '--config'], signal);
  forgetDomain(svc, uuid);
  const active = (await tryVirshVia(svc, ['domid', uuid], signal))?.trim();
  if (active && active !== '-') await virshVia(svc, [...args, '--live'], signal);
  return meta;
}
