import type { CliContext } from '../../context';
import type { TemplateDeps } from '../../../libvirt/templates';
import { templateProblems } from '../../../libvirt/validation';

/** The template operations' dependencies for the CLI: the service and the schema validator. */
export function cliTemplateDeps(ctx: CliContext): TemplateDeps {
  return {
    svc: ctx.service(),
    validate: templateProblems,
  };
}
