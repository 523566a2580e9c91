/**
 * The template modules reach virsh through the service's own sessions when the service offers them (the real
 * service is also a ServiceCore), so its bookkeeping cache can be told about domains they change.
 */
import type { LibvirtService } from './api';
import type { ServiceCore } from './core';
import { virshOn } from './tools';

function coreOf(svc: LibvirtService): Partial<ServiceCore> {
  return svc as unknown as Partial<ServiceCore>;
}

/** One virsh command; stdout, or a typed error. */
export async function virshVia(svc: LibvirtService, args: readonly string[], signal?: AbortSignal): Promise<string> {
  const core = coreOf(svc);
  if (typeof core.virsh === 'function') return core.virsh(args, signal);
  return (await virshOn(svc.config.uri, args, signal)).stdout;
}

/** virsh that answers undefined instead of throwing (for "does it exist" and best-effort clean-up). */
export async function tryVirshVia(svc: LibvirtService, args: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
  return virshVia(svc, args, signal).catch(() => undefined);
}

/** Tells the service that a domain's bookkeeping changed (its cached metadata must be read again). */
export function forgetDomain(svc: LibvirtService, uuid: string): void {
  coreOf(svc).metaCache?.delete(uuid);
}

/** Several quick virsh commands: pipelined through the service's sessions when it offers them, else one by one. */
export async function virshBatchVia(
  svc: LibvirtService,
  commands: readonly (readonly string[])[],
  signal?: AbortSignal,
  spread?: number,
): Promise<PromiseSettledResult<string>[]> {
  const core = coreOf(svc);
  if (typeof core.virshBatch === 'function') return core.virshBatch(commands, signal, spread);
  const out: PromiseSettledResult<string>[] = [];
  for (const c of commands) {
    out.push(await virshVia(svc, c, signal).then((value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason })));
  }
  return out;
}
