/**
 * Rewriting a clone's bookkeeping (the service's metadata element, see domain/domainModel.ts) so that it names another
 * template: used by rename. The clone must be off: its persistent definition is redefined with only our metadata
 * element changed (spliced, the rest byte-identical).
 */
import { LibvirtError } from '../../core/errors';
import type { LibvirtService } from '../api';
import { forgetDomain, virshVia } from '../serviceCore';
import { applyEdits, metaEdit, parseDomain } from '../domain';

export async function setCloneTemplate(svc: LibvirtService, uuid: string, template: string, signal?: AbortSignal): Promise<void> {
  const xml = await virshVia(svc, ['dumpxml', '--inactive', '--security-info', uuid], signal);
  const d = parseDomain(xml);
  if (!d.meta) throw new LibvirtError(`Domain ${uuid} has no qq2clone bookkeeping any more.`);
  await svc.defineXml(applyEdits(xml, [metaEdit(d, { ...d.meta, template })]), signal);
  forgetDomain(svc, uuid);
}
