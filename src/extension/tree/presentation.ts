/**
 * How a clone or a template looks in the tree: label, description, icon, colour and contextValue. Pure (no vscode):
 * the provider turns these into TreeItems, the unit tests and the manifest check read them directly.
 */
import type { CloneState } from '../../core/states';
import { isActive, isRunning } from '../../core/operations';
import type { CloneInfo, SnapshotInfo, TemplateInfo } from '../../libvirt/api';
import { describePolicy } from '../../libvirt/policy';
import type { PolicyLogEntry } from '../../libvirt/policy';

/** contextValue per clone state; menus' `when` clauses match these exact strings. */
export const CLONE_CONTEXT: Readonly<Record<CloneState, string>> = {
  running: 'runningClone',
  idle: 'idleClone',
  paused: 'pausedClone',
  'in-shutdown': 'inShutdownClone',
  off: 'shutoffClone',
  crashed: 'crashedClone',
  pmsuspended: 'pmsuspendedClone',
  saved: 'savedClone',
};

/** The staging clone of modify-template prepare-image: the template work owns its commands. */
export const STAGING_CONTEXT = 'stagingClone';
export const TEMPLATE_CONTEXT = 'template';
/** A template whose XML file cannot be read or parsed, or whose file is gone while clones remain. */
export const BROKEN_TEMPLATE_CONTEXT = 'brokenTemplate';

/** What the staging clone of a template is doing, as its menus need it: running (Force Off applies), off (Commit applies), saved. */
export type StagingState = 'Running' | 'Off' | 'Saved';

/** The staging state of a staging clone (undefined: none). */
export function stagingStateOf(c: CloneInfo | undefined): StagingState | undefined {
  if (!c) return undefined;
  if (isActive(c.state)) return 'Running';
  return c.saved ? 'Saved' : 'Off';
}

/**
 * A template's contextValue: its kind, then what decides which menu entries apply. `Staging<State>`: an image is
 * being prepared (Discard applies, Prepare does not; Force Off only while it runs, Commit only once it is off and
 * not saved). `WithClones`: Delete Template does not apply. So `template`, `templateWithClones`,
 * `templateStagingRunningWithClones`, `templateStagingOffWithClones`, `templateStagingSavedWithClones` (the staging
 * clone counts), `brokenTemplate`, `brokenTemplateWithClones`.
 */
export function templateContextValue(t: TemplateInfo, cloneCount: number, staging?: StagingState): string {
  const clones = cloneCount > 0 || t.staging ? 'WithClones' : '';
  if (t.problem) return `${BROKEN_TEMPLATE_CONTEXT}${clones}`;
  return `${TEMPLATE_CONTEXT}${t.staging ? `Staging${staging ?? 'Off'}` : ''}${clones}`;
}

/** A snapshot under its clone; the current one (the clone was last taken at or reverted to it) apart. */
export const SNAPSHOT_CONTEXT = 'snapshot';
export const CURRENT_SNAPSHOT_CONTEXT = 'currentSnapshot';

/** A host's root in a view of several hosts: reachable, or not (Retry applies). */
export const HOST_CONTEXT = 'host';
export const UNREACHABLE_HOST_CONTEXT = 'unreachableHost';

/** What a host's root says after its label: why it cannot be used, or its clones (running ones first). */
export function hostDescription(clones: readonly CloneInfo[] | undefined, unavailable: string | undefined): string {
  if (unavailable !== undefined) return `unavailable: ${unavailable}`;
  if (!clones) return 'connecting…';
  const own = clones.filter((c) => !c.staging);
  const running = own.filter((c) => isRunning(c.state)).length;
  return `${running} running · ${own.length === 1 ? '1 clone' : `${own.length} clones`}`;
}

/** Every contextValue the tree can produce (the manifest check verifies menus name only these). */
export const ALL_CONTEXT_VALUES: readonly string[] = [
  TEMPLATE_CONTEXT,
  `${TEMPLATE_CONTEXT}WithClones`,
  `${TEMPLATE_CONTEXT}StagingRunningWithClones`,
  `${TEMPLATE_CONTEXT}StagingOffWithClones`,
  `${TEMPLATE_CONTEXT}StagingSavedWithClones`,
  BROKEN_TEMPLATE_CONTEXT,
  `${BROKEN_TEMPLATE_CONTEXT}WithClones`,
  STAGING_CONTEXT,
  ...Object.values(CLONE_CONTEXT),
  SNAPSHOT_CONTEXT,
  CURRENT_SNAPSHOT_CONTEXT,
  HOST_CONTEXT,
  UNREACHABLE_HOST_CONTEXT,
];

/** Codicon id and theme colour id for a state. */
export interface StateIcon {
  readonly icon: string;
  readonly color: string;
}

export const STATE_ICON: Readonly<Record<CloneState, StateIcon>> = {
  running: { icon: 'vm-running', color: 'charts.green' },
  idle: { icon: 'vm', color: 'charts.green' },
  paused: { icon: 'debug-pause', color: 'charts.yellow' },
  'in-shutdown': { icon: 'debug-stop', color: 'charts.orange' },
  off: { icon: 'vm-outline', color: 'disabledForeground' },
  crashed: { icon: 'error', color: 'charts.red' },
  pmsuspended: { icon: 'history', color: 'charts.purple' },
  saved: { icon: 'save', color: 'charts.blue' },
};

export const BUSY_ICON: StateIcon = { icon: 'loading~spin', color: 'foreground' };

/** Reasons that say nothing beyond the state itself; any other reason is shown ("off - crashed"). */
const PLAIN_REASONS: Readonly<Record<CloneState, readonly string[]>> = {
  running: ['booted', 'unpaused', 'restored', 'from snapshot', 'migrated', 'unknown', 'wakeup'],
  idle: ['unknown'],
  paused: ['user', 'unknown'],
  'in-shutdown': ['user', 'unknown'],
  off: ['shutdown', 'destroyed', 'unknown', 'saved', 'from snapshot'],
  crashed: ['unknown', 'panicked'],
  pmsuspended: ['unknown'],
  saved: ['saved', 'unknown', 'destroyed', 'shutdown'],
};

export function cloneContextValue(c: CloneInfo): string {
  return c.staging ? STAGING_CONTEXT : CLONE_CONTEXT[c.state];
}

export function cloneLabel(c: CloneInfo): string {
  return c.staging ? `staging ${c.name}` : `${c.id} ${c.name}`;
}

/**
 * The state, with libvirt's reason when it adds something ("off - crashed"); "busy" work in progress first; the
 * clone's image generation when `generation` is given (the tree gives it only when it differs from the template's).
 */
export function cloneDescription(c: CloneInfo, busy?: string, generation?: number): string {
  const reason = c.reason.trim().toLowerCase();
  let base = reason && !PLAIN_REASONS[c.state].includes(reason) ? `${c.state} - ${reason}` : c.state;
  if (generation !== undefined) base += ` · gen ${generation}`;
  // A power-off policy other than keep shows on the clone itself.
  if (c.policy && c.policy.action !== 'keep') base += ` · ${c.policy.action}`;
  return busy ? `${busy}… (${base})` : base;
}

/** The generation to show on a clone: its own, only when known and not the template's current one. */
export function shownCloneGeneration(clone: number | null | undefined, template: number | undefined): number | undefined {
  return clone && template && clone !== template ? clone : undefined;
}

/** A template's clone count as shown: the staging clone (prepare-image) is not one of its clones. */
export function cloneCount(n: { readonly clones: readonly { readonly clone: CloneInfo }[] }): number {
  return n.clones.filter((c) => !c.clone.staging).length;
}

/** `generation`: the template's current image generation, shown when it is past the first ("gen 3"). */
export function templateDescription(t: TemplateInfo, cloneCount: number, generation?: number): string {
  const parts = [cloneCount === 1 ? '1 clone' : `${cloneCount} clones`];
  if (generation && generation > 1) parts.push(`gen ${generation}`);
  if (t.staging) parts.push('staging');
  if (t.problem) parts.push(`problem: ${problemKind(t.problem)}`);
  return parts.join(' · ');
}

/** A few words for a template's problem, short enough for the row; the whole text is in the tooltip. */
export function problemKind(problem: string): string {
  if (/XML file not found/i.test(problem)) return 'XML file missing';
  if (/name is not usable/i.test(problem)) return 'unusable file name';
  if (/not well-formed/i.test(problem)) return 'XML not well-formed';
  if (/not a libvirt domain/i.test(problem)) return 'not a domain';
  if (/EACCES|permission denied/i.test(problem)) return 'XML file unreadable';
  return 'XML not usable';
}

/** Markdown for a clone's tooltip; disks and backing files come from the resolve step (undefined: not read yet). */
export function cloneTooltip(
  c: CloneInfo,
  detail: {
    disks?: readonly { path: string; backing?: string }[];
    storage?: string;
    /** The storage shown is the configured one: the clone's bookkeeping records none. */
    storageConfigured?: boolean;
    error?: string;
    /** The image generation of the first disk's backing file, and the template's current one. */
    generation?: { clone: number; template?: number };
    /** More lines (a running clone's addresses and SSH forward). */
    extra?: readonly string[];
    /** The last thing a power-off policy did to it (from the action logs). */
    lastAction?: PolicyLogEntry;
  },
): string {
  const lines = [
    `**${c.name}** (clone ${c.id} of ${c.template})`,
    '',
    `- State: ${cloneDescription(c)}`,
    `- UUID: \`${c.uuid}\``,
    `- Saved state: ${c.saved ? 'yes' : 'no'}`,
  ];
  if (detail.storage) lines.push(`- Storage: \`${detail.storage}\`${detail.storageConfigured ? ' (configured; the clone records none)' : ''}`);
  if (detail.disks) {
    if (detail.disks.length === 0) lines.push('- Disks: none');
    for (const d of detail.disks) {
      lines.push(`- Disk: \`${d.path}\`` + (d.backing ? ` backed by \`${d.backing}\`` : ''));
    }
  }
  if (detail.generation) {
    const { clone, template } = detail.generation;
    const note = template && template !== clone ? ` (the template is at generation ${template})` : '';
    lines.push(`- Image generation: ${clone}${note}`);
  }
  lines.push(...(detail.extra ?? []));
  if (detail.error) lines.push(`- Could not read disks: ${detail.error}`);
  lines.push(...policyTooltipLines(c, detail.lastAction));
  return lines.join('\n');
}

/** The power-off policy, the last shutoff reason and the last reset or removal, for a clone's tooltip. */
export function policyTooltipLines(c: CloneInfo, last?: PolicyLogEntry): string[] {
  const lines = [`- Power-off policy: ${describePolicy(c.policy)}`];
  const lastReason = c.state === 'off' && c.reason && c.reason !== 'unknown' ? c.reason : last?.reason;
  if (lastReason) lines.push(`- Last shutoff: ${lastReason}`);
  if (last) {
    const what = last.action === 'reset' ? 'reset' : last.action === 'kept' ? `kept (${last.detail ?? ''})` : `${last.action}${last.detail ? `: ${last.detail}` : ''}`;
    lines.push(`- Last policy action: ${what}, ${last.time} after ${last.reason} (by the ${last.by})`);
  }
  return lines;
}

export function templateTooltip(t: TemplateInfo, cloneCount: number, generation?: number): string {
  const lines = [`**${t.name}** (template)`, '', `- XML: \`${t.xmlPath}\``, `- Clones: ${cloneCount}`];
  if (generation) lines.push(`- Image generation: ${generation}`);
  for (const d of t.disks) lines.push(`- Disk: \`${d}\``);
  if (t.staging) lines.push('- Being staged (modify-template prepare-image)');
  if (t.policy) lines.push(`- New clones' power-off policy: ${describePolicy(t.policy)}`);
  lines.push(
    t.identity
      ? `- Clone identity: hostname \`${t.identity.hostname}\`, fresh machine-id and SSH host keys${t.identity.authorizedKey ? `, key \`${t.identity.authorizedKey.split(/\s+/).slice(2).join(' ') || t.identity.authorizedKey.slice(0, 24)}\` authorized for ${t.identity.user ?? 'the login user'}` : ''}`
      : '- Clone identity: off (clones are copies: same hostname, machine-id and SSH host keys)',
  );
  if (t.problem) lines.push('', `**Problem:** ${t.problem}`);
  return lines.join('\n');
}

export function snapshotContextValue(s: SnapshotInfo): string {
  return s.current ? CURRENT_SNAPSHOT_CONTEXT : SNAPSHOT_CONTEXT;
}

/** When a snapshot was taken, as the tree shows it (local time, to the minute). */
export function snapshotTime(s: SnapshotInfo): string {
  const d = new Date(s.created * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "current · 2026-12-07 16:33 · running with memory": the row after a snapshot's name. */
export function snapshotDescription(s: SnapshotInfo): string {
  const parts = [snapshotTime(s), s.withMemory ? `${s.state} with memory` : s.state];
  if (s.current) parts.unshift('current');
  return parts.join(' · ');
}

export function snapshotTooltip(s: SnapshotInfo, clone: CloneInfo): string {
  const lines = [`**${s.name}** (snapshot of clone ${clone.id}, ${clone.name})`, '', `- Taken: ${snapshotTime(s)}, the clone ${s.state === 'shutoff' ? 'off' : s.state}`];
  lines.push(s.withMemory ? '- Memory kept: reverting brings the guest back running where it was' : '- Disk only: reverting brings the clone back off');
  if (s.current) lines.push('- Current: the clone was last taken at or reverted to it');
  if (s.description) lines.push('', s.description);
  return lines.join('\n');
}
