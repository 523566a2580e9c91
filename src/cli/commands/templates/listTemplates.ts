import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';

/** qq2clone list-templates: the names of all templates, one per line. */
export const listTemplatesCliCommand: CliCommand = {
  name: 'list-templates',
  usage: '',
  summary: 'List the names of all templates.',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    expectArgs('list-templates', '', args, 0);
    const inv = await ctx.service().inventory(ctx.signal);
    const names = inv.templates.map((t) => t.name).sort();
    if (names.length) ctx.out.result(names.map((n) => `${n}\n`).join(''));
    else ctx.out.info(`No templates in ${ctx.config.TEMPLATE_DIR}.`);
  },
};
