import type { CliContext } from '../context';
import type { TemplateDeps } from '../../libvirt/templateOps';
import { validateDomainXml } from '../../validation';

/** The template operations' dependencies for the CLI: the service and the schema validator. */
export function templateDeps(ctx: CliContext): TemplateDeps {
  return {
    svc: ctx.service(),
    validate: async (xml) => (await validateDomainXml(xml)).problems.map((p) => `line ${p.line}: ${p.message}`),
  };
}
