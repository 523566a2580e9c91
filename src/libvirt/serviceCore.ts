/**
 * What the service's parts (inventory, clone, operations, templates, check) share: config, virsh sessions,
 * one-shot tools, the bookkeeping cache (ServiceCore). The template modules reach virsh through the service's own
 * sessions when the service offers them (the real service is also a ServiceCore), so its bookkeeping cache can be
 * told about domains they change.
 */
import type { LibvirtService, ServiceConfig } from './api';
import type { CloneMeta } from './domain';
import { virshOn } from './process';

export interface ServiceCore {
  readonly config: Required<ServiceConfig>;
  /** One virsh command through a session; stdout or a typed error. */
  virsh(args: readonly string[], signal?: AbortSignal): Promise<string>;
  /** Several quick virsh commands written at once to one session (one round trip), results in order. */
  virshBatch(
    commands: readonly (readonly string[])[],
    signal?: AbortSignal,
    spread?: number,
  ): Promise<PromiseSettledResult<string>[]>;
  /** Starts up to `count` sessions now, for work about to run that many commands at once (absent: started on use). */
  warmSessions?(count: number): void;
  /** One-shot program run (qemu-img, shred). */
  tool(command: string, args: readonly string[], signal?: AbortSignal): Promise<string>;
  /** Bookkeeping cache by UUID (null: not ours); valid only while the event stream watches for redefinitions. */
  readonly metaCache: MetaCache;
  /** Told the names and UUIDs seen by each listing (events name domains; the cache keys by UUID). */
  noteNames?(rows: readonly { name: string; uuid: string }[]): void;
}

export interface MetaCache {
  get(uuid: string): CloneMeta | null | undefined;
  set(uuid: string, meta: CloneMeta | null): void;
  delete(uuid: string): void;
}

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
