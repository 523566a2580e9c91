/**
 * Snapshot actions on a list of clones, like the SET operations: under the clones' locks (held across processes)
 * states are read once, clones the action does not apply to are skipped with a reason, each of the rest is checked
 * by the guard against its current XML (every writable disk one of its own qcow2 overlays, never a template's
 * image) before libvirt is asked. Cancelling stops taking clones and kills running commands.
 */
import * as path from 'node:path';
import { UsageError } from '../../core/errors';
import { assertName } from '../../core/names';
import type { BatchOptions, BatchResult, CloneRef, ExternalSnapshotSupport, SnapshotAction } from '../api';
import type { ServiceCore } from '../serviceCore';
import { actOnEachClone, readDomains, underCloneLocks, uniqueClones, type DomainRow } from '../clones';
import { parseDomain, readMetaSnippet } from '../domain';
import { writeBookkeeping } from './bookkeeping';
import type { Locks } from '../process';
import { readTemplateDir } from '../templates';
import { snapshotRefusal } from './guard';
import { SNAPSHOT_ACTIONS } from './snapshotOps';
import { externalSnapshotSupport } from './external';

async function actOn(core: ServiceCore, a: SnapshotAction, row: DomainRow, templateDisks: ReadonlySet<string>, signal?: AbortSignal): Promise<void> {
  const act = SNAPSHOT_ACTIONS[a.kind];
  // The XML as it is now (live while it runs): a hot-plugged disk counts too.
  const domain = parseDomain(await core.virsh(['dumpxml', row.uuid], signal));
  const why = snapshotRefusal({ domain, templateDisks, saved: row.saved }, act.use);
  if (why) throw new UsageError(`No snapshot action on ${row.name}: ${why}`);
  // libvirt restores the definition saved with the snapshot, our bookkeeping with it: the current one is put back.
  const meta = a.kind === 'revert' ? readMetaSnippet(await core.virsh(['dumpxml', '--inactive', '--xpath', '/domain/metadata', row.uuid], signal)) : undefined;
  await core.virsh(act.args(row.uuid, a), signal);
  if (meta) {
    try {
      await writeBookkeeping((x, s) => core.virsh(x, s), row.uuid, meta, signal);
    } finally {
      core.metaCache.delete(row.uuid);
    }
  }
}

/**
 * Takes, reverts to or deletes the snapshot `action.name` on `clones`. Every clone lands in exactly one list of the
 * result; a refusal of the guard is a failure (UsageError) with the reason.
 */
export async function runSnapshotAction(
  core: ServiceCore,
  locks: Locks,
  action: SnapshotAction,
  clones: readonly CloneRef[],
  o: BatchOptions = {},
): Promise<BatchResult> {
  assertName(action.name, 'snapshot name');
  if (action.kind === 'create' && action.external) await refuseExternal(core, o.signal);
  const unique = uniqueClones(clones);
  return underCloneLocks(locks, unique, o, () => runLocked(core, action, unique, o));
}

/** What the daemon of this connection says about external snapshots (externalSnapshotSupport of its version). */
export async function readExternalSupport(core: ServiceCore, signal?: AbortSignal): Promise<ExternalSnapshotSupport> {
  return externalSnapshotSupport(await core.virsh(['version', '--daemon'], signal));
}

/**
 * A request for external snapshots is refused before any clone is touched: where the daemon cannot revert them
 * (libvirt before 9.9) with that reason; where it can, because qq2clone takes internal snapshots only so far (rm,
 * check and the guard know no external snapshot files).
 */
async function refuseExternal(core: ServiceCore, signal?: AbortSignal): Promise<never> {
  const s = await readExternalSupport(core, signal);
  if (!s.supported) throw new UsageError(`No external snapshot taken: ${s.reason}`);
  throw new UsageError(
    `No external snapshot taken: the libvirt daemon here (${s.daemon}) reverts external snapshots, but qq2clone takes internal ones only. Leave out --external: an internal snapshot is kept inside the clone's own overlay.`,
  );
}

/**
 * runSnapshotAction for a caller that already holds the clones' locks (the power-off policy `revert`, applied under
 * the clone's lock): the same checks and actions, no lock taken.
 */
export async function runHeldSnapshotAction(core: ServiceCore, a: SnapshotAction, clones: readonly CloneRef[], o: BatchOptions = {}): Promise<BatchResult> {
  assertName(a.name, 'snapshot name');
  return runLocked(core, a, uniqueClones(clones), o);
}

async function runLocked(core: ServiceCore, a: SnapshotAction, unique: readonly CloneRef[], o: BatchOptions): Promise<BatchResult> {
  const signal = o.signal;
  const skipped: { clone: CloneRef; reason: string }[] = [];
  const rows = new Map((await readDomains(core, signal, false)).map((r) => [r.uuid, r]));
  const templateDisks = new Set((await readTemplateDir(core.config.templateDir)).flatMap((t) => t.disks.map((d) => path.resolve(d))));
  const todo: CloneRef[] = [];
  for (const c of unique) {
    const row = rows.get(c.uuid);
    const why = row ? SNAPSHOT_ACTIONS[a.kind].skip(row.state) : 'no longer exists';
    if (why) skipped.push({ clone: c, reason: why });
    else todo.push(c);
  }
  return actOnEachClone(todo, skipped, o, (c, sig) => actOn(core, a, rows.get(c.uuid)!, templateDisks, sig));
}
