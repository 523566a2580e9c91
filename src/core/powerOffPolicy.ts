/**
 * Power-off policies (pure): what happens to a clone when it stops, by libvirt's shutoff reason. keep is the
 * default; reset makes its overlays afresh on the template's image; remove removes it as rm does.
 */
import { UsageError } from './errors';

export type PolicyAction = 'keep' | 'reset' | 'remove';

/** libvirt's shutoff reasons as the qemu hook's `release end` passes them and `virsh domstate --reason` prints them. */
export const SHUTOFF_REASONS = ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'] as const;
export type ShutoffReason = (typeof SHUTOFF_REASONS)[number];

/** Reasons reset and remove apply to when none are given: a crashed or failed clone is kept for a look. */
export const DEFAULT_REASONS: readonly ShutoffReason[] = ['shutdown', 'destroyed'];

export interface PowerOffPolicy {
  readonly action: PolicyAction;
  /** The shutoff reasons it applies to (empty for keep). */
  readonly on: readonly ShutoffReason[];
}

export const KEEP: PowerOffPolicy = { action: 'keep', on: [] };

function isReason(s: string): s is ShutoffReason {
  return (SHUTOFF_REASONS as readonly string[]).includes(s);
}

/**
 * The policy for `keep|reset|remove [--on REASON,...]` (reasons comma separated; "from-snapshot" may stand for
 * "from snapshot"). UsageError (12) for an unknown action or reason, --on with keep, or saved with reset (a saved
 * memory image belongs to its disk: a clone with a saved state is never reset).
 */
export function parsePolicy(action: string, on?: string): PowerOffPolicy {
  if (action !== 'keep' && action !== 'reset' && action !== 'remove') {
    throw new UsageError(`Unknown power-off policy '${action}': use keep, reset or remove.`);
  }
  if (action === 'keep') {
    if (on !== undefined) throw new UsageError('keep applies to every reason: --on goes with reset or remove.');
    return KEEP;
  }
  if (on === undefined) return { action, on: DEFAULT_REASONS };
  const reasons: ShutoffReason[] = [];
  for (const raw of on.split(',')) {
    const r = raw.trim().replace(/-/g, ' ');
    if (!isReason(r)) {
      throw new UsageError(`Unknown shutoff reason '${raw}' in --on: use ${SHUTOFF_REASONS.map((s) => s.replace(/ /g, '-')).join(', ')}.`);
    }
    if (r === 'saved' && action === 'reset') throw new UsageError('reset cannot apply to saved: a saved state belongs to the disk it was saved with.');
    if (!reasons.includes(r)) reasons.push(r);
  }
  if (!reasons.length) throw new UsageError('--on needs at least one shutoff reason.');
  return { action, on: reasons };
}

/** Reads a policy from the attributes of our <policy> element; undefined when they do not make one. */
export function policyFromAttrs(action: string | undefined, on: string | undefined): PowerOffPolicy | undefined {
  if (action === 'keep') return KEEP;
  if (action !== 'reset' && action !== 'remove') return undefined;
  const reasons = (on ?? '').split(',').map((s) => s.trim()).filter(isReason);
  if (action === 'reset' && reasons.includes('saved')) return undefined;
  return { action, on: reasons.length ? reasons : DEFAULT_REASONS };
}

/** The policy as the CLI and the tree print it: "reset on shutdown,destroyed", "keep". */
export function describePolicy(p: PowerOffPolicy | undefined): string {
  if (!p || p.action === 'keep') return 'keep';
  return `${p.action} on ${p.on.map((r) => r.replace(/ /g, '-')).join(',')}`;
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
  | { readonly act: 'reset' | 'remove' }
  | { readonly act: 'none'; readonly why: string };

/**
 * What to do with a clone that stopped for `reason`: reset or remove when its policy applies to the reason;
 * never reset a clone with a saved state, and nothing for one that runs again.
 */
export function decide(policy: PowerOffPolicy | undefined, reason: ShutoffReason | undefined, o: { saved: boolean; running: boolean }): Decision {
  if (!policy || policy.action === 'keep') return { act: 'none', why: 'policy keep' };
  if (o.running) return { act: 'none', why: 'running again' };
  if (!reason) return { act: 'none', why: 'shutoff reason unknown' };
  if (!policy.on.includes(reason)) return { act: 'none', why: `kept: ${reason} is not one of ${policy.on.join(',')}` };
  if (policy.action === 'reset' && o.saved) return { act: 'none', why: 'kept: it has a saved state' };
  return { act: policy.action };
}
