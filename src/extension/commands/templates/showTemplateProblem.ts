import * as vscode from 'vscode';
import { isTreeNode } from '../common/targets';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { chooseTemplate } from './shared';

const EDIT = 'Edit Template XML';
const DELETE = 'Delete Template';

/**
 * The whole text of a template's problem (the row shows only its kind), with what can be done about it: edit the
 * XML, or delete the template when no clones remain. Resolves to the text shown, or undefined when none.
 */
export const showTemplateProblemCommand: CommandDefinition = {
  id: 'qq2clone.showTemplateProblem',
  run: async (ctx, node?) => {
    const name = await chooseTemplate(ctx, node, 'Show the problem of a template');
    if (!name) return undefined;
    const t = isTreeNode(node) && node.kind === 'template' ? node : ctx.tree.model.templates.find((x) => x.template.name === name);
    const problem = t?.template.problem;
    if (!t || !problem) {
      void prompts.notify('info', `Template ${name} has no problem.`);
      return undefined;
    }
    const actions = t.clones.length ? [EDIT] : [EDIT, DELETE];
    const message = `Template ${name}: ${problem}${t.template.xmlPath ? ` (${t.template.xmlPath})` : ''}`;
    void prompts.notify('warning', message, ...actions).then(async (choice) => {
      if (choice === EDIT) await vscode.commands.executeCommand('qq2clone.editTemplate', t);
      else if (choice === DELETE) await vscode.commands.executeCommand('qq2clone.deleteTemplate', t);
    });
    return message;
  },
};
