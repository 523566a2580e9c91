import * as vscode from 'vscode';
import { operationAccepts, type SetOperationName } from '../../../core/operations';
import { asQq2Error } from '../../../core/errors';
import type { TreeNode } from '../../tree/model';
import { askSet } from '../../ui/setInput';
import { pickTemplate } from '../../ui/pickTemplate';
import { prompts } from '../../ui/prompts';
import { freshInventory } from '../common/chooseTargets';
import { cloneWhat, targetsFromSet } from '../common/targets';
import type { CommandDefinition } from '../types';

const OPERATIONS: readonly { op: SetOperationName; command: string; label: string }[] = [
  { op: 'start', command: 'qq2clone.start', label: 'Start' },
  { op: 'suspend', command: 'qq2clone.suspend', label: 'Suspend' },
  { op: 'resume', command: 'qq2clone.resume', label: 'Resume' },
  { op: 'save', command: 'qq2clone.save', label: 'Save' },
  { op: 'save-rm', command: 'qq2clone.saveRm', label: 'Delete Saved State' },
  { op: 'destroy', command: 'qq2clone.destroy', label: 'Destroy' },
  { op: 'rm', command: 'qq2clone.rm', label: 'Delete' },
  { op: 'rm-wipe', command: 'qq2clone.rmWipe', label: 'Delete and Wipe' },
  { op: 'rm-shred', command: 'qq2clone.rmShred', label: 'Delete and Shred' },
];

/**
 * Select by SET (palette): a template and a SET, then the clones it names (untick any), then what to do with them;
 * the chosen command runs on those clones as if they were selected in the tree.
 */
export const selectBySetCommand: CommandDefinition = {
  id: 'qq2clone.selectBySet',
  run: async (ctx) => {
    const inventory = await freshInventory(ctx);
    const template = inventory && (await pickTemplate(inventory, 'Select clones by SET'));
    if (!inventory || !template) return;
    const set = await askSet(inventory, template, `Select clones of ${template} by SET`);
    if (set === undefined) return;
    let named;
    try {
      named = targetsFromSet(inventory, template, set).clones;
    } catch (e) {
      void prompts.notify('error', `Select by SET: ${asQq2Error(e).message}`);
      return;
    }
    const items = named.map((c) => ({ label: cloneWhat(c), description: c.state, picked: true, clone: c }));
    const chosen = await prompts.quickPickMany(items, { title: `${named.length} clones of ${template} in '${set}'` });
    if (!chosen?.length) return;
    const actions = OPERATIONS.map((o) => {
      const n = chosen.filter((i) => operationAccepts(o.op, i.clone.state)).length;
      return { label: o.label, description: `${n} of ${chosen.length} apply`, command: o.command, n };
    }).filter((a) => a.n > 0);
    const action = await prompts.quickPick(actions, { title: `What to do with ${chosen.length} clones` });
    if (!action) return;
    const nodes = chosen
      .map((i) => ctx.tree.model.clone(i.clone.uuid))
      .filter((n): n is NonNullable<typeof n> => n !== undefined) as TreeNode[];
    await vscode.commands.executeCommand(action.command, nodes[0], nodes);
  },
};
