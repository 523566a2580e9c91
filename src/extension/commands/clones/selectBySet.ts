import * as vscode from 'vscode';
import { operationAccepts, SET_OPERATIONS } from '../../../core/operations';
import { asQq2Error } from '../../../core/errors';
import type { TreeNode } from '../../tree/model';
import { askSet } from '../../ui/setInput';
import { pickTemplate } from '../../ui/pickTemplate';
import { prompts } from '../../ui/prompts';
import { freshInventory } from '../common/chooseTargets';
import { targetsFromSet } from '../common/targets';
import { cloneWhat } from '../../ui/cloneWords';
import type { CommandDefinition } from '../types';

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
    const actions = SET_OPERATIONS.map((o) => {
      const n = chosen.filter((i) => operationAccepts(o.name, i.clone.state)).length;
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
