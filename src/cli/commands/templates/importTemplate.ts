import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { importTemplate } from '../../../libvirt/templates';
import { cliTemplateDeps } from './cliTemplateDeps';

/** qq2clone import-template DOMAIN|XML-FILE [NAME] (exit 13 if the template exists, 15 if the XML is invalid). */
export const importTemplateCliCommand: CliCommand = {
  name: 'import-template',
  usage: 'DOMAIN|XML-FILE [NAME]',
  summary: 'Import a template from a libvirt domain or a domain XML file (full path); NAME defaults to the XML <name>.',
  async run(ctx, args) {
    expectArgs('import-template', 'DOMAIN|XML-FILE [NAME]', args, 1, 2);
    const r = await importTemplate(cliTemplateDeps(ctx), args[0]!, args[1], ctx.signal);
    ctx.out.info(`Imported template ${r.name}.`);
    for (const m of r.messages) ctx.out.error(m);
  },
};
