import type { CliCommand } from '../shared';
import { CancelledError, UsageError } from '../../../core/errors';
import { applyFix, formatReport, runCheck } from '../../../libvirt/check';
import { requireTemplate } from '../../../libvirt/templates';
import { confirm } from '../shared';
import { cliTemplateDeps } from './cliTemplateDeps';

/**
 * qq2clone check [TEMPLATE] [--fix]: prints every finding with what its fix does. On a terminal it then asks for
 * each fix; without a terminal or with -q it only reports, unless --fix is given (then every safe fix is applied;
 * those that remove a clone or set a template aside are only applied when confirmed one by one on a terminal).
 */
export const checkCliCommand: CliCommand = {
  name: 'check',
  usage: '[TEMPLATE-NAME] [--fix]',
  summary: 'Find lost clones, stray files and broken images; fix them with confirmation (or --fix).',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    const fixAll = args.includes('--fix');
    const rest = args.filter((a) => a !== '--fix');
    if (rest.length > 1 || rest.some((a) => a.startsWith('-'))) throw new UsageError('check takes [TEMPLATE-NAME] [--fix].');
    const template = rest[0];
    const deps = cliTemplateDeps(ctx);
    if (template) await requireTemplate(deps.svc, template);
    const findings = await runCheck(deps.svc, template, { signal: ctx.signal, ...(deps.validate ? { validate: deps.validate } : {}) });
    ctx.out.result(formatReport(findings, template));
    const fixable = findings.filter((f) => f.fix);
    if (!fixable.length) return;
    // Without a terminal, or with -q (no questions), the safe default: report the fixes, apply none.
    if (!fixAll && !ctx.canAsk) {
      ctx.out.result(`${fixable.length} fix(es) available: run qq2clone check${template ? ` ${template}` : ''} --fix to apply them.`);
      return;
    }
    // A fix that removes a clone or sets a template aside is applied only when confirmed by itself, even with --fix.
    const unasked = fixAll && !ctx.canAsk ? fixable.filter((f) => f.explicit).length : 0;
    let failure: unknown;
    for (const f of fixable) {
      if ((!fixAll || f.explicit) && !(await confirm(ctx, `${f.fix}`))) continue;
      try {
        ctx.out.result(await applyFix(deps.svc, f, ctx.signal));
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        failure ??= e;
        ctx.out.error((e as Error).message);
      }
    }
    if (unasked) ctx.out.result(`${unasked} fix(es) remove a clone or set a template aside: run qq2clone check on a terminal, without -q, to choose them.`);
    if (failure) throw failure;
  },
};
