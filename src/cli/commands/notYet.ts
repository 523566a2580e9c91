/**
 * Commands of the manual that later work implements. Until then they answer with exit 12 and say so; each is
 * replaced by its own file in the dispatch table when it is built.
 */
import type { CliCommand } from './types';
import { UsageError } from '../../core/errors';

/** Throws the "not yet implemented" UsageError (exit 12). */
export function notYet(what: string, instead?: string): never {
  throw new UsageError(`${what} is not yet implemented in this version${instead ? `; for now, ${instead}` : ''}.`);
}

function pending(name: string, usage: string, summary: string, instead?: string): CliCommand {
  return {
    name,
    usage,
    summary,
    async run() {
      notYet(name, instead);
    },
  };
}

export const pendingCommands: readonly CliCommand[] = [
  pending('import-template', 'DOMAIN|XML-FILE [NAME]', 'Import a template from a libvirt domain or a domain XML file.'),
  pending('copy-template', 'CURRENT-NAME NEW-NAME', "Copy a template's XML to a new template (same storage)."),
  pending('delete-template', 'NAME', 'Delete a template that has no clones.'),
  pending('modify-template', 'NAME SUB-COMMAND [ARG]...', 'prepare-image, commit-image, destroy-image, discard-image, edit, rename.'),
  pending('check', '[TEMPLATE-NAME]', 'Find and fix lost clones and other problems.'),
];
