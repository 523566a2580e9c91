/**
 * Whether external snapshots may be offered: only where the daemon can revert them. libvirt reverts external
 * snapshots since 9.9; an older daemon (this product's reference host runs 9.0) takes them but cannot go back to
 * them, so they are not offered there. Decided from `virsh version --daemon` (the daemon's version, not the
 * client library's). Pure (fixtures captured from real virsh).
 */
import type { ExternalSnapshotSupport } from '../api';

/** The first libvirt daemon version that reverts external snapshots. */
export const EXTERNAL_REVERT_SINCE: readonly [number, number, number] = [9, 9, 0];

/** The daemon's version from `virsh version --daemon` ("Running against daemon: 9.0.0"), or undefined. */
export function daemonVersion(out: string): [number, number, number] | undefined {
  const m = /^Running against daemon:\s*(\d+)\.(\d+)\.(\d+)\s*$/m.exec(out);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) if (v[i]! !== min[i]!) return v[i]! > min[i]!;
  return true;
}

const INSTEAD = 'Take an internal snapshot instead (leave out --external): it is kept inside the clone\'s own overlay and reverts on this host.';

/** The decision for the daemon that printed `versionOutput`. */
export function externalSnapshotSupport(versionOutput: string): ExternalSnapshotSupport {
  const v = daemonVersion(versionOutput);
  const since = EXTERNAL_REVERT_SINCE.join('.');
  if (!v) return { supported: false, reason: `The libvirt daemon did not say its version, so it is not known to revert external snapshots (libvirt ${since} and later do). ${INSTEAD}` };
  const daemon = v.join('.');
  if (!atLeast(v, EXTERNAL_REVERT_SINCE)) {
    return { supported: false, daemon, reason: `The libvirt daemon here is ${daemon}, which cannot revert external snapshots (that came with libvirt ${since}). ${INSTEAD}` };
  }
  return { supported: true, daemon };
}
