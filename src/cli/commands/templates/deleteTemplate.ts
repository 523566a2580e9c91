import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { deleteTemplate } from '../../../libvirt/templates';
import { cliTemplateDeps } from './cliTemplateDeps';

/** qq2clone delete-template NAME: only when it has no clones (exit 12 otherwise, saying how many). */
export const deleteTemplateCliCommand: CliCommand = {
  name: 'delete-template',
  usage: 'NAME',
  summary: 'Delete a template that has no clones.',
  async run(ctx, args) {
    expectArgs('delete-template', 'NAME', args, 1);
    const r = await deleteTemplate(cliTemplateDeps(ctx), args[0]!, ctx.signal);
    ctx.out.info(`Deleted template ${r.name}.`);
    for (const m of r.messages) ctx.out.info(m);
  },
};
