/**
 * The snapshot actions as data: per action, which machine states it applies to, what the guard checks and the
 * virsh command that does it. Internal snapshots only: libvirt 9.0 cannot revert external ones.
 */
import type { CloneState } from '../../core/states';
import { SNAPSHOT_UNSAFE_STATES } from '../../core/operations';
import type { SnapshotAction } from '../api';
import type { SnapshotGuardUse } from './guard';

interface SnapshotActionRow {
  /** The guard's use of the action. */
  readonly use: SnapshotGuardUse;
  /** Why the action skips a clone in `state`, or undefined when it applies. */
  readonly skip: (state: CloneState) => string | undefined;
  /** The virsh arguments for the clone with this UUID. */
  readonly args: (uuid: string, a: SnapshotAction) => string[];
}

/** States in which QEMU is between states a snapshot can keep (core/operations.ts keeps the one list). */
const BUSY = SNAPSHOT_UNSAFE_STATES;

/** The one table of snapshot actions. */
export const SNAPSHOT_ACTIONS: Record<SnapshotAction['kind'], SnapshotActionRow> = {
  create: {
    use: 'take',
    // A running or paused clone's snapshot keeps its memory too (libvirt's default for an active domain).
    skip: (s) => (BUSY.includes(s) ? `${s}: a snapshot is taken of a machine that is off, running or paused` : undefined),
    args: (uuid, a) => [
      'snapshot-create-as', '--domain', uuid, '--name', a.name,
      ...(a.kind === 'create' && a.description ? ['--description', a.description] : []),
      '--atomic',
    ],
  },
  revert: {
    use: 'revert',
    skip: (s) => (s === 'in-shutdown' ? 'shutting down: revert once it is off' : undefined),
    args: (uuid, a) => ['snapshot-revert', '--domain', uuid, '--snapshotname', a.name],
  },
  delete: {
    use: 'delete',
    skip: () => undefined,
    args: (uuid, a) => ['snapshot-delete', '--domain', uuid, '--snapshotname', a.name],
  },
};

/** The arguments that list a clone's snapshots and name its current one (one round trip for both). */
export function snapshotListArgs(uuid: string): string[][] {
  return [
    ['snapshot-list', '--domain', uuid, '--name'],
    ['snapshot-current', '--name', uuid],
  ];
}

/** The arguments that read one snapshot's document. */
export function snapshotXmlArgs(uuid: string, name: string): string[] {
  return ['snapshot-dumpxml', '--domain', uuid, '--snapshotname', name];
}
