/** What the service's parts (inventory, clone, operations) share: config, virsh sessions, one-shot tools. */
import type { ServiceConfig } from './api';
import type { CloneMeta } from './splice';

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
