/**
 * Power-off policies (pure): what happens to a clone when it stops, by libvirt's shutoff reason. keep is the
 * default; reset makes its overlays afresh on the template's image; remove removes it as rm does; revert brings it
 * back to one of its snapshots (VMware's "revert to snapshot" at power-off).
 */
import { UsageError } from './errors';
import { assertName } from './names';

export type PolicyAction = 'keep' | 'reset' | 'remove' | 'revert';

/** libvirt's shutoff reasons as the qemu hook's `release end` passes them and `virsh domstate --reason` prints them. */
export const SHUTOFF_REASONS = ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'] as const;
export type ShutoffReason = (typeof SHUTOFF_REASONS)[number];

/** Reasons reset and remove apply to when none are given: a crashed or failed clone is kept for a look. */
export const DEFAULT_REASONS: readonly ShutoffReason[] = ['shutdown', 'destroyed'];

export interface PowerOffPolicy {
  readonly action: PolicyAction;
  /** The shutoff reasons it applies to (empty for keep). */
  readonly on: readonly ShutoffReason[];
  /** revert: the snapshot it goes back to. */
  readonly snapshot?: string;
}

export const KEEP: PowerOffPolicy = { action: 'keep', on: [] };

function isReason(s: string): s is ShutoffReason {
  return (SHUTOFF_REASONS as readonly string[]).includes(s);
}

/**
 * The policy for `keep|reset|remove|revert SNAPSHOT [--on REASON,...]` (reasons comma separated; "from-snapshot" may
 * stand for "from snapshot"). UsageError (12) for an unknown action or reason, --on with keep, revert without a
 * usable snapshot name, or saved with reset or revert (a saved memory image belongs to its disk: a clone with a
 * saved state is never reset nor reverted).
 */
export function parsePolicy(action: string, on?: string, snapshot?: string): PowerOffPolicy {
  if (action !== 'keep' && action !== 'reset' && action !== 'remove' && action !== 'revert') {
    throw new UsageError(`Unknown power-off policy '${action}': use keep, reset, remove or revert SNAPSHOT.`);
  }
  if (action === 'keep') {
    if (on !== undefined) throw new UsageError('keep applies to every reason: --on goes with reset, remove or revert.');
    return KEEP;
  }
  if (action === 'revert') {
    if (snapshot === undefined) throw new UsageError('revert needs the name of the snapshot to go back to.');
    assertName(snapshot, 'snapshot name');
  }
  const to = action === 'revert' ? { snapshot: snapshot! } : {};
  if (on === undefined) return { action, on: DEFAULT_REASONS, ...to };
  const reasons: ShutoffReason[] = [];
  for (const raw of on.split(',')) {
    const r = raw.trim().replace(/-/g, ' ');
    if (!isReason(r)) {
      throw new UsageError(`Unknown shutoff reason '${raw}' in --on: use ${SHUTOFF_REASONS.map((s) => s.replace(/ /g, '-')).join(', ')}.`);
    }
    if (r === 'saved' && action !== 'remove') throw new UsageError(`${action} cannot apply to saved: a saved state belongs to the disk it was saved with.`);
    if (!reasons.includes(r)) reasons.push(r);
  }
  if (!reasons.length) throw new UsageError('--on needs at least one shutoff reason.');
  return { action, on: reasons, ...to };
}

/** Reads a policy from the attributes of our <policy> element; undefined when they do not make one. */
export function policyFromAttrs(action: string | undefined, on: string | undefined, snapshot?: string): PowerOffPolicy | undefined {
  if (action === 'keep') return KEEP;
  if (action !== 'reset' && action !== 'remove' && action !== 'revert') return undefined;
  if (action === 'revert' && !snapshot) return undefined;
  const reasons = (on ?? '').split(',').map((s) => s.trim()).filter(isReason);
  if (action !== 'remove' && reasons.includes('saved')) return undefined;
  return { action, on: reasons.length ? reasons : DEFAULT_REASONS, ...(action === 'revert' ? { snapshot: snapshot! } : {}) };
}

/** The policy as the CLI and the tree print it: "reset on shutdown,destroyed", "revert to s1 on shutdown", "keep". */
export function describePolicy(p: PowerOffPolicy | undefined): string {
  if (!p || p.action === 'keep') return 'keep';
  return `${p.action}${p.snapshot ? ` to ${p.snapshot}` : ''} on ${p.on.map((r) => r.replace(/ /g, '-')).join(',')}`;
}

/** The reason from a lifecycle event's detail ("Stopped Destroyed" -> destroyed, "From snapshot" -> from snapshot). */
export function reasonOfStoppedDetail(detail: string): ShutoffReason {
  const r = detail.trim().toLowerCase();
  return isReason(r) ? r : 'unknown';
}

/** The reason in `virsh domstate --reason` output ("shut off (destroyed)"); undefined when the domain is not off. */
export function reasonOfDomstate(text: string): ShutoffReason | undefined {
  const m = /^shut off(?: \(([^)]*)\))?/.exec(text.trim());
  if (!m) return undefined;
  const r = (m[1] ?? 'unknown').trim();
  return isReason(r) ? r : 'unknown';
}

/** The hook's last argument as a reason: undefined when libvirt passed "-" (9.0 does) or something unknown. */
export function reasonOfHookArg(arg: string | undefined): ShutoffReason | undefined {
  return arg !== undefined && isReason(arg) ? arg : undefined;
}

export type Decision =
  | { readonly act: 'reset' | 'remove' | 'revert' }
  | { readonly act: 'none'; readonly why: string };

/** Why reset is refused for a clone with snapshots (what to do is said). */
export const RESET_DROPS_SNAPSHOTS =
  'it has snapshots, which live in the overlays that reset would make afresh: delete them (or choose to drop them), or use revert to a snapshot instead';

/**
 * What to do with a clone that stopped for `reason`: reset, remove or revert when its policy applies to the reason;
 * never reset nor revert a clone with a saved state, never reset one with snapshots (`snapshots`: how many it
 * has), and nothing for one that runs again.
 */
export function decide(
  policy: PowerOffPolicy | undefined,
  reason: ShutoffReason | undefined,
  o: { saved: boolean; running: boolean; snapshots?: number },
): Decision {
  if (!policy || policy.action === 'keep') return { act: 'none', why: 'policy keep' };
  if (o.running) return { act: 'none', why: 'running again' };
  if (!reason) return { act: 'none', why: 'shutoff reason unknown' };
  if (!policy.on.includes(reason)) return { act: 'none', why: `kept: ${reason} is not one of ${policy.on.join(',')}` };
  if (policy.action !== 'remove' && o.saved) return { act: 'none', why: 'kept: it has a saved state' };
  if (policy.action === 'reset' && (o.snapshots ?? 0) > 0) return { act: 'none', why: `kept: ${RESET_DROPS_SNAPSHOTS}` };
  return { act: policy.action };
}
