/**
 * The dispatch table: every command word the CLI knows, in the order -h lists them. To add a command, write
 * src/cli/commands/<name>.ts exporting a CliCommand and add it here.
 */
import type { CliCommand } from './types';
import { cloneCommand } from './clone';
import { configCommand } from './config';
import { destroyCommand } from './destroy';
import { execCommand } from './exec';
import { listCommand } from './list';
import { listTemplatesCommand } from './listTemplates';
import { resumeCommand } from './resume';
import { rmCommand } from './rm';
import { rmShredCommand } from './rmShred';
import { rmWipeCommand } from './rmWipe';
import { saveCommand } from './save';
import { saveRmCommand } from './saveRm';
import { startCommand } from './start';
import { suspendCommand } from './suspend';
import { validateCommand } from './validate';
import { importTemplateCommand } from './importTemplate';
import { copyTemplateCommand } from './copyTemplate';
import { deleteTemplateCommand } from './deleteTemplate';
import { modifyTemplateCommand } from './modifyTemplate';
import { checkCommand } from './check';
import { connectCommand } from './connect';
import { editCommand } from './edit';
import { hookCommand } from './hook';
import { policyCommand } from './policy';
import { shutdownCommand } from './shutdown';
import { rebootCommand } from './reboot';
import { resetCommand } from './reset';
import { ipCommand } from './ip';
import { sshCommand } from './ssh';
import { guestExecCommand } from './guestExec';
import { lsCommand } from './ls';
import { catCommand } from './cat';
import { diffCommand } from './diff';
import { copyInCommand } from './copyIn';
import { copyOutCommand } from './copyOut';

/** The commands in the order -h lists them. */
export const CLI_COMMAND_LIST: readonly CliCommand[] = [
  cloneCommand,
  listCommand,
  startCommand,
  destroyCommand,
  suspendCommand,
  resumeCommand,
  saveCommand,
  saveRmCommand,
  rmCommand,
  rmWipeCommand,
  rmShredCommand,
  execCommand,
  connectCommand,
  editCommand,
  policyCommand,
  listTemplatesCommand,
  configCommand,
  validateCommand,
  importTemplateCommand,
  copyTemplateCommand,
  deleteTemplateCommand,
  modifyTemplateCommand,
  checkCommand,
  // Beyond the manual: disk contents (libguestfs).
  lsCommand,
  catCommand,
  diffCommand,
  copyInCommand,
  copyOutCommand,
  // Beyond the manual: running guests.
  shutdownCommand,
  rebootCommand,
  resetCommand,
  ipCommand,
  sshCommand,
  guestExecCommand,
  // Beyond the manual: power-off policies' hook.
  hookCommand,
];

/** Command word -> command. */
export const CLI_COMMANDS: ReadonlyMap<string, CliCommand> = new Map(CLI_COMMAND_LIST.map((c) => [c.name, c]));
