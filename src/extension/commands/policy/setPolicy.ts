import { asQq2Error } from '../../../core/errors';
import type { CloneInfo } from '../../../libvirt/api';
import { DEFAULT_REASONS, describePolicy, parsePolicy, setClonePolicy, SHUTOFF_REASONS, withTemplatePolicy, type PowerOffPolicy } from '../../../libvirt/policy';
import { prompts } from '../../ui/prompts';
import { targetsFromArgsOrPalette } from '../common/chooseTargets';
import { selectedNodes } from '../common/targets';
import { cloneWhat } from '../../ui/cloneWords';
import type { CommandContext, CommandDefinition } from '../types';
import { clearSnapshotsForReset } from './snapshotsForReset';
import { nameProblem } from '../../../core/names';

const TITLE = 'Set Power-Off Policy';

/** A policy given with the SET arguments ({ template, set, policy, on, snapshot }), as tests and keybindings may pass it. */
function givenPolicy(node: unknown): PowerOffPolicy | undefined {
  const o = node as { policy?: unknown; on?: unknown; snapshot?: unknown } | undefined;
  if (!o || typeof o.policy !== 'string') return undefined;
  return parsePolicy(o.policy, typeof o.on === 'string' ? o.on : undefined, typeof o.snapshot === 'string' ? o.snapshot : undefined);
}

/** Whether the SET arguments answer "drop their snapshots?" for reset beforehand ({ dropSnapshots: true|false }). */
function givenDrop(node: unknown): boolean | undefined {
  const d = (node as { dropSnapshots?: unknown } | undefined)?.dropSnapshots;
  return typeof d === 'boolean' ? d : undefined;
}

/** Asks keep, reset, remove or (for clones) revert and its snapshot, then the shutoff reasons, the defaults ticked. */
async function askPolicy(count: number, what: 'clone' | 'template' = 'clone'): Promise<PowerOffPolicy | undefined> {
  const action = await prompts.quickPick(
    [
      { label: 'keep', description: 'Nothing happens when it powers off (the default)', action: 'keep' as const },
      { label: 'reset', description: "Made afresh from the template's image: the guest's changes are gone", action: 'reset' as const },
      { label: 'remove', description: 'Removed as Delete Clones does, with its overlays', action: 'remove' as const },
      ...(what === 'clone' ? [{ label: 'revert', description: 'Back to a snapshot of it, named next', action: 'revert' as const }] : []),
    ],
    { title: `${TITLE} (${what === 'template' ? `default of new clones of ${count} template` : `${count} clone`}${count === 1 ? '' : 's'})` },
  );
  if (!action) return undefined;
  if (action.action === 'keep') return parsePolicy('keep');
  const snapshot = action.action === 'revert' ? await prompts.inputBox({ title: 'revert: to which snapshot?', prompt: 'Name of the snapshot', validateInput: (v) => nameProblem(v) ?? null }) : undefined;
  if (action.action === 'revert' && snapshot === undefined) return undefined;
  const reasons = SHUTOFF_REASONS.filter((r) => !(action.action !== 'remove' && r === 'saved')).map((r) => ({
    label: r,
    picked: DEFAULT_REASONS.includes(r),
  }));
  const on = await prompts.quickPickMany(reasons, { title: `${action.label}: on which shutoff reasons? (crashed and failed are best kept for a look)` });
  if (!on?.length) return undefined;
  return parsePolicy(action.action, on.map((r) => r.label).join(','), snapshot);
}

/** On templates: the default policy their new clones inherit (existing clones keep theirs). */
async function setTemplateDefault(ctx: CommandContext, templates: readonly string[], node: unknown): Promise<void> {
  let policy: PowerOffPolicy | undefined;
  try {
    policy = givenPolicy(node) ?? (await askPolicy(templates.length, 'template'));
  } catch (e) {
    void prompts.notify('error', `${TITLE}: ${asQq2Error(e).message}`);
    return;
  }
  if (!policy) return;
  const svc = ctx.host.service;
  for (const name of templates) {
    try {
      await svc.writeTemplateXml(name, withTemplatePolicy(await svc.templateXml(name), policy));
    } catch (e) {
      void prompts.notify('error', `${TITLE}: template ${name}: ${asQq2Error(e).message}`);
      return;
    }
  }
  ctx.tree.requestRefresh();
  void prompts.notify('info', `New clones of ${templates.join(', ')} get the power-off policy ${describePolicy(policy)}; existing clones keep theirs.`);
}

/**
 * Set Power-Off Policy...: on the tree selection or a SET, what happens to the clones when they power off (kept in
 * each clone's own bookkeeping; applied by the hook, or by the extension while it runs when the hook is not in use).
 */
export const setPolicyCommand: CommandDefinition = {
  id: 'qq2clone.setPolicy',
  hosts: 'first',
  run: async (ctx: CommandContext, node?: unknown, nodes?: unknown) => {
    const picked = selectedNodes(node, nodes);
    const templates = picked.flatMap((n) => (n.kind === 'template' ? [n.template.name] : []));
    if (templates.length && templates.length === picked.length) return setTemplateDefault(ctx, templates, node);
    let clones: CloneInfo[];
    if (picked.length) clones = picked.flatMap((n) => (n.kind === 'clone' && !n.clone.staging ? [n.clone] : []));
    else clones = (await targetsFromArgsOrPalette(ctx, TITLE, node))?.clones.filter((c) => !c.staging) ?? [];
    if (!clones.length) {
      if (picked.length) void prompts.notify('warning', `${TITLE}: select clones (not templates or the staging clone).`);
      return;
    }
    let policy: PowerOffPolicy | undefined;
    try {
      policy = givenPolicy(node) ?? (await askPolicy(clones.length));
    } catch (e) {
      void prompts.notify('error', `${TITLE}: ${asQq2Error(e).message}`);
      return;
    }
    if (!policy) return;
    const svc = ctx.host.service;
    const failed: string[] = [];
    if (policy.action === 'reset') {
      const cleared = await clearSnapshotsForReset(ctx, clones, givenDrop(node));
      failed.push(...cleared.left);
      clones = cleared.clones.concat();
      if (!clones.length) {
        void prompts.notify('warning', `${TITLE}: nothing set to reset; ${failed.join('; ')}.`);
        return;
      }
    }
    const asked = clones.length + failed.length;
    for (const c of clones) {
      try {
        await svc.withCloneLock(c.uuid, () => setClonePolicy(svc, c.uuid, policy));
      } catch (e) {
        failed.push(`${cloneWhat(c)}: ${asQq2Error(e).message}`);
        ctx.output.error(`${TITLE}: ${cloneWhat(c)}: ${asQq2Error(e).message}`);
      }
    }
    ctx.tree.requestRefresh();
    const done = asked - failed.length;
    if (failed.length) void prompts.notify('error', `${TITLE}: ${done} of ${asked} set to ${describePolicy(policy)}; failed: ${failed.join('; ')}`);
    else void prompts.notify('info', `${clones.length === 1 ? cloneWhat(clones[0]!) : `${clones.length} clones`}: power-off policy ${describePolicy(policy)}.`);
  },
};
