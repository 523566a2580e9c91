/**
 * The SET operations (manual: CLONE COMMANDS) on a list of clones: under the clones' locks (held across processes)
 * states are read once, items the operation does not apply to are skipped with a reason, the rest run in parallel
 * with a bound, never two at once on one clone.
 * Cancelling stops taking items and kills running commands; every item lands in exactly one BatchResult list.
 */
import { LibvirtError } from '../../core/errors';
import { isActive, skipReason } from '../../core/operations';
import type { BatchOptions, BatchResult, CloneOperation, CloneRef } from '../api';
import type { ServiceCore } from '../serviceCore';
import { readDomains, readMetas, type DomainRow } from './inventory';
import { explainLock } from '../storage';
import type { Locks } from '../process';
import { DEFAULT_POOL_SIZE } from '../virsh';
import { actOnEachClone, underCloneLocks, uniqueClones } from './cloneBatch';
import { localFileStore, managedSavePath, openImageStore, type ImageStore } from '../storage';
import { isInside } from '../storage';
import { readTemplateDir } from '../templates';

/** Why `op` does not apply to a clone in `state` (the one table, in core/operations.ts). */
export { skipReason } from '../../core/operations';

/** QEMU's image-locking refusals: `Failed to get "write" lock`, `Failed to get shared "write" lock`. */
const QEMU_LOCK = /Failed to get (shared )?("[^"]+" |write |shared )?lock/i;

/**
 * A clone's start that QEMU refused because another process holds an image it needs (another running VM with the
 * template's image attached writable): the error says what that means and what to do, QEMU's text kept after it.
 * Other errors are returned unchanged. (For every path that starts a clone.)
 */
export function explainStartFailure(e: unknown, clone: CloneRef): unknown {
  if (!(e instanceof LibvirtError) || !QEMU_LOCK.test(e.message)) return e;
  return explainLock(e, clone.template, `Clone ${clone.id} (${clone.name}) of ${clone.template}`);
}

/** The virsh command of a simple operation. */
const SIMPLE: Partial<Record<CloneOperation, string>> = {
  start: 'start',
  destroy: 'destroy',
  suspend: 'suspend',
  resume: 'resume',
  save: 'managedsave',
  'save-rm': 'managedsave-remove',
};

/** Overwrites a file before it is deleted: shred's passes of random data, or zeros (rm-wipe). */
function overwrite(images: ImageStore, op: CloneOperation, file: string, signal?: AbortSignal): Promise<void> {
  return op === 'rm-shred' ? images.shred(file, signal) : images.wipe(file, signal);
}

async function removeClone(
  core: ServiceCore,
  row: DomainRow,
  op: CloneOperation,
  files: readonly string[],
  signal?: AbortSignal,
  within?: readonly string[],
): Promise<void> {
  // Active includes crashed (kept alive by on_crash=preserve): undefining it would only make it transient.
  if (isActive(row.state)) await core.virsh(['destroy', row.uuid], signal).catch(async (e: unknown) => {
    // It may have stopped on its own meanwhile ("shut off"; "crashed" is still active).
    const st = await core.virsh(['domstate', row.uuid]).catch(() => '');
    if (!/^shut off/.test(st.trim())) throw e;
  });
  // Its saved state holds the guest's RAM: overwritten like the overlays, before libvirt deletes it.
  if (row.saved && op !== 'rm') {
    // libvirt's own file on this machine (managedSavePath refuses any other): overwritten as a local file.
    const file = await managedSavePath(core.config.uri, row.name);
    await overwrite(localFileStore((a, s) => core.virsh(a, s)), op, file);
    await core.virsh(['managedsave-remove', row.uuid], signal);
  }
  try {
    await core.virsh(['undefine', row.uuid, '--managed-save', '--snapshots-metadata', '--checkpoints-metadata', '--nvram'], signal);
  } catch (e) {
    // Cancelled while undefining: if the domain is gone anyway, finish the job so no overlay is left without it.
    const still = await core.virsh(['domstate', row.uuid]).then(() => true, () => false);
    if (still) throw e;
  }
  core.metaCache.delete(row.uuid);
  const images = openImageStore(core);
  for (const file of files) {
    if (!(await images.stat(file))?.isFile) continue;
    // Overwrite first (shred: its passes of random data; wipe: zeros), then delete.
    if (op !== 'rm') await overwrite(images, op, file);
    await images.delete(file, within ? { within } : {});
  }
}

/** The files rm deletes: those the clone owns per its bookkeeping, inside the storage it was made in, never a template's disk. */
function ownedFiles(core: ServiceCore, row: DomainRow, templateDisks: Set<string>): string[] {
  const storage = row.meta?.storage ?? core.config.storage;
  return (row.meta?.overlays ?? []).filter((file) => isInside(file, storage) && !templateDisks.has(file));
}

/**
 * rm of one clone whose lock the caller holds (the power-off policies): the domain goes as with rm, and of its
 * files only `files`, which the caller has checked, each deleted only when its folder lies in one of `within`.
 */
export async function removeHeldClone(core: ServiceCore, uuid: string, files: readonly string[], within: readonly string[], signal?: AbortSignal): Promise<void> {
  const row = (await readDomains(core, signal, false)).find((r) => r.uuid === uuid);
  if (!row) throw new LibvirtError(`The domain ${uuid} no longer exists.`);
  await removeClone(core, row, 'rm', files, signal, within);
}

/**
 * Runs `op` on `clones`. The clones' locks are taken first (all of them, in order), then their states are read, so
 * that what is done is decided from the state they have while nobody else (in this process or another) can
 * change them; the batch then runs with a bound, still under the locks.
 */
export async function runCloneOperation(
  core: ServiceCore,
  locks: Locks,
  op: CloneOperation,
  clones: readonly CloneRef[],
  o: BatchOptions = {},
): Promise<BatchResult> {
  // rm deletes the clones' overlays, files of this machine: refused for a connection to another, before anything.
  if (op === 'rm' || op === 'rm-wipe' || op === 'rm-shred') openImageStore(core);
  const unique = uniqueClones(clones);
  // The sessions the batch will use connect while the locks are taken and the states read.
  core.warmSessions?.(Math.min(unique.length, o.concurrency ?? DEFAULT_POOL_SIZE));
  return underCloneLocks(locks, unique, o, () => runLocked(core, op, unique, o));
}

async function runLocked(core: ServiceCore, op: CloneOperation, unique: readonly CloneRef[], o: BatchOptions): Promise<BatchResult> {
  const signal = o.signal;
  const skipped: { clone: CloneRef; reason: string }[] = [];
  if (signal?.aborted) return { done: [], skipped, failed: [], cancelled: [...unique] };
  const removing = op === 'rm' || op === 'rm-wipe' || op === 'rm-shred';
  // States of all domains in one round trip; for rm, the bookkeeping of the clones to remove in one more.
  const rows = new Map((await readDomains(core, signal, false)).map((r) => [r.uuid, r]));
  const metas = removing ? await readMetas(core, unique.filter((c) => rows.has(c.uuid)).map((c) => c.uuid), signal) : undefined;
  if (signal?.aborted) return { done: [], skipped, failed: [], cancelled: [...unique] };
  const todo: CloneRef[] = [];
  for (const c of unique) {
    const row = rows.get(c.uuid);
    const meta = metas?.get(c.uuid);
    const why = !row || (metas && meta === undefined) ? 'no longer exists' : skipReason(op, row.state);
    if (why) skipped.push({ clone: c, reason: why });
    else {
      if (metas) rows.set(c.uuid, { ...row!, meta: meta ?? null });
      todo.push(c);
    }
  }
  const templateDisks = removing
    ? new Set((await readTemplateDir(core.config.templateDir)).flatMap((t) => t.disks))
    : new Set<string>();
  // As many at once as the session pool serves in parallel.
  return actOnEachClone(todo, skipped, o, async (c, sig) => {
    const cmd = SIMPLE[op];
    if (cmd) await core.virsh([cmd, c.uuid], sig).catch((e: unknown) => Promise.reject(op === 'start' ? explainStartFailure(e, c) : e));
    else {
      const row = rows.get(c.uuid)!;
      await removeClone(core, row, op, ownedFiles(core, row, templateDisks), sig);
    }
  });
}
