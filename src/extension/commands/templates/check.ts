import * as vscode from 'vscode';
import { applyFix, formatReport, runCheck, type Finding } from '../../../libvirt/check';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { argsOf, runTemplateOp, extensionTemplateDeps } from './shared';
import { isTreeNode } from '../common/targets';

/**
 * check [TEMPLATE]: the report opens in an editor; the fixes available are offered in a multi-pick. The safe ones
 * are preselected; those that remove a clone or set a template aside (`explicit`) are applied only when picked.
 * With `confirmed` (no picker) only the safe ones are applied. Returns the findings and the fixes' results (for tests).
 */
export const checkCommand: CommandDefinition = {
  id: 'qq2clone.check',
  run: async (ctx, node?) => {
    const template = isTreeNode(node) && node.kind === 'template' ? node.template.name : argsOf(node).template;
    const deps = extensionTemplateDeps(ctx);
    const findings = await runTemplateOp(
      ctx,
      `Check${template ? ` ${template}` : ''}`,
      (signal) => runCheck(deps.svc, template, { signal, ...(deps.validate ? { validate: deps.validate } : {}) }),
      () => [],
    );
    if (!findings) return undefined;
    const doc = await vscode.workspace.openTextDocument({ content: formatReport(findings, template), language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { preview: true });
    const fixable = findings.filter((f) => f.fix);
    if (!fixable.length) return { findings, fixed: [] as string[] };
    let chosen: readonly Finding[] | undefined;
    if (argsOf(node).confirmed) chosen = fixable.filter((f) => !f.explicit);
    else {
      const picked = await prompts.quickPickMany(
        fixable.map((f) => ({
          label: f.fix ?? '',
          detail: f.explicit ? `Only if you choose it: ${f.message}` : f.message,
          picked: !f.explicit,
          finding: f,
        })),
        { title: `Apply fixes (${fixable.length} available)`, placeHolder: 'Fixes delete only files in qq2clone storage' },
      );
      chosen = picked?.map((p) => p.finding);
    }
    const fixed: string[] = [];
    for (const f of chosen ?? []) {
      try {
        fixed.push(await applyFix(deps.svc, f));
      } catch (e) {
        fixed.push(`Not fixed: ${(e as Error).message}`);
      }
    }
    for (const l of fixed) ctx.output.info(`Check: ${l}`);
    if (fixed.length) void prompts.notify('info', `Check: ${fixed.length} fix(es) applied.`);
    ctx.tree.requestRefresh();
    return { findings, fixed };
  },
};
