import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { UsageError } from '../../../core/errors';
import { cloneCountProblem, MAX_CLONES_AT_ONCE } from '../../../core/cloneCount';
import { connectAndReport, spiceWanted } from './connect';

export { MAX_CLONES_AT_ONCE };

/**
 * qq2clone clone [N]: make N (default 1) clones of the current template; run them unless -n / NORUN=1, and when
 * they run and SPICE connections are on (-g, or USE_SPICE=1 without -f), open a viewer on their SPICE graphics
 * as connect does (manual, EXAMPLES: `qq2clone --template Debian --run --virt-viewer clone`).
 */
export const cloneCliCommand: CliCommand = {
  name: 'clone',
  usage: '[NUMBER]',
  summary: 'Make one clone of the current template, or NUMBER clones.',
  // The inventory's, started before the command loads (the service starts those of the defines: makeClones).
  sessions: 1,
  async run(ctx, args) {
    expectArgs('clone', '[NUMBER]', args, 0, 1);
    const text = args[0] ?? '1';
    const problem = /^[0-9]+$/.test(text) ? cloneCountProblem(text) : 'Give a whole number of clones, e.g. 1 or 5.';
    if (problem) throw new UsageError(`clone takes a number of clones from 1 to ${MAX_CLONES_AT_ONCE}; got '${text}'. ${problem}`);
    // The service reads the template and the clones once, and says when the template does not exist.
    const template = ctx.templateName();
    const run = ctx.options.run ?? ctx.config.NORUN !== '1';
    const made = await ctx.service().clone(template, Number(text), {
      run,
      signal: ctx.signal,
      ...(ctx.options.storage ? { storage: ctx.options.storage } : {}),
    });
    for (const c of made) ctx.out.info(`Created clone ${c.id} (${c.name})${run ? ', running' : ''}.`);
    if (run && spiceWanted(ctx)) await connectAndReport(ctx, made);
  },
};
