/**
 * What the disk commands share: which disk a command acts on (a clone or template node, a { template, clone }
 * argument, or picks from the palette), and reporting a failure (the appliance log goes to the output channel).
 */
import * as vscode from 'vscode';
import { asQq2Error, CancelledError } from '../../../core/errors';
import type { DiskTarget } from '../../../libvirt/disks';
import { DISK_SCHEME, diskPath, type DiskApi } from '../../disks';
import { pickTemplate } from '../../ui/pickTemplate';
import { prompts } from '../../ui/prompts';
import { freshInventory } from '../common/chooseTargets';
import { isTreeNode } from '../common/targets';
import type { CommandContext } from '../types';

/** The disk a command acts on; undefined when cancelled. `clonesOnly` refuses templates (compare, copy in). */
export async function chooseDisk(ctx: CommandContext, node: unknown, title: string, clonesOnly = false): Promise<DiskTarget | undefined> {
  if (isTreeNode(node)) {
    if (node.kind === 'clone') return { template: node.clone.template, clone: node.clone.id };
    if (!clonesOnly) return { template: node.template.name, clone: 'template' };
  }
  const given = node as Partial<DiskTarget> | undefined;
  if (given && typeof given.template === 'string' && (typeof given.clone === 'number' || given.clone === 'template')) return given as DiskTarget;
  const inv = await freshInventory(ctx);
  if (!inv) return undefined;
  const template = isTreeNode(node) && node.kind === 'template' ? node.template.name : await pickTemplate(inv, title);
  if (!template) return undefined;
  const clones = inv.clones.filter((c) => c.template === template).sort((a, b) => a.id - b.id);
  const items = [
    ...(clonesOnly ? [] : [{ label: 'Template image', description: template, clone: 'template' as const }]),
    ...clones.map((c) => ({ label: `Clone ${c.id}`, description: `${c.name} (${c.state})`, clone: c.id })),
  ];
  if (!items.length) {
    void prompts.notify('warning', `Template ${template} has no clones.`);
    return undefined;
  }
  const picked = await prompts.quickPick(items, { title, placeHolder: 'Pick a disk' });
  return picked ? { template, clone: picked.clone } : undefined;
}

export function diskApi(ctx: CommandContext): DiskApi {
  if (!ctx.disk) throw new Error('Disk access is not available in this context.');
  return ctx.disk;
}

export function diskUri(t: DiskTarget, guestPath = '/', base = false): vscode.Uri {
  return vscode.Uri.from({ scheme: DISK_SCHEME, path: diskPath(t, guestPath), ...(base ? { query: 'base' } : {}) });
}

/** Tells a failure (nothing for a cancel); the details (appliance log, stderr) go to the output channel. */
export function reportDiskError(ctx: CommandContext, what: string, e: unknown): void {
  const err = asQq2Error(e);
  if (err instanceof CancelledError) return;
  ctx.output.error(`${what}: ${err.message}`);
  if (err.failure.stderr) ctx.output.error(err.failure.stderr);
  void prompts.notify('error', `${what}: ${err.message}`);
}
