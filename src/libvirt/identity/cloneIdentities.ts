/** What identity each clone was given, read from its <metadata> (for `list xml`): one pipelined round of virsh. */
import type { LibvirtService } from '../api';
import { identityOf, IDENTITY_NS, type AppliedIdentity } from '../domain';
import { virshBatchVia } from '../serviceCore';

/** By UUID, the identity written into each clone that has one (clones without are left out). */
export async function cloneIdentities(svc: LibvirtService, uuids: readonly string[], signal?: AbortSignal): Promise<Map<string, AppliedIdentity>> {
  const replies = await virshBatchVia(svc, uuids.map((u) => ['metadata', u, IDENTITY_NS]), signal);
  const out = new Map<string, AppliedIdentity>();
  replies.forEach((r, i) => {
    if (r.status !== 'fulfilled' || !r.value.trim()) return;
    // virsh prints the element without its namespace: put it back for the reader.
    const el = r.value.trim().replace(/^<identity\b/, `<identity xmlns="${IDENTITY_NS}"`);
    const applied = identityOf(`<domain><metadata>${el}</metadata></domain>`).applied;
    if (applied) out.set(uuids[i]!, applied);
  });
  return out;
}
