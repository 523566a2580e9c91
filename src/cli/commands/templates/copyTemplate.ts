import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { copyTemplate } from '../../../libvirt/templates';
import { cliTemplateDeps } from './cliTemplateDeps';

/** qq2clone copy-template CURRENT-NAME NEW-NAME: same XML, same storage, new name. */
export const copyTemplateCliCommand: CliCommand = {
  name: 'copy-template',
  usage: 'CURRENT-NAME NEW-NAME',
  summary: "Copy a template's XML to a new template (it shares the same disk images).",
  async run(ctx, args) {
    expectArgs('copy-template', 'CURRENT-NAME NEW-NAME', args, 2);
    const r = await copyTemplate(cliTemplateDeps(ctx), args[0]!, args[1]!);
    ctx.out.info(`Copied ${args[0]} to ${r.name}.`);
  },
};
