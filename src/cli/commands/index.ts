/**
 * The dispatch table: every command word the CLI knows, in the order -h lists them. Commands live in folders by
 * what they act on: setOps/ (the manual's SET operations), clones/, templates/, guests/ (running guests), disks/
 * (disk contents), policy/ (power-off policies and the hook), settings/ (config, validate); shared/ holds what
 * they share. To add a command, write <folder>/<name>.ts exporting a CliCommand, export it from the folder's
 * index.ts and add it here.
 */
import type { CliCommand } from './shared';
import { cloneCommand } from './clones';
import { configCommand } from './settings';
import { destroyCommand } from './setOps';
import { execCommand } from './clones';
import { listCommand } from './clones';
import { listTemplatesCommand } from './templates';
import { resumeCommand } from './setOps';
import { rmCommand } from './setOps';
import { rmShredCommand } from './setOps';
import { rmWipeCommand } from './setOps';
import { saveCommand } from './setOps';
import { saveRmCommand } from './setOps';
import { startCommand } from './setOps';
import { suspendCommand } from './setOps';
import { validateCommand } from './settings';
import { importTemplateCommand } from './templates';
import { copyTemplateCommand } from './templates';
import { deleteTemplateCommand } from './templates';
import { modifyTemplateCommand } from './templates';
import { checkCommand } from './templates';
import { connectCommand } from './clones';
import { editCommand } from './clones';
import { hookCommand } from './policy';
import { policyCommand } from './policy';
import { shutdownCommand } from './guests';
import { rebootCommand } from './guests';
import { resetCommand } from './guests';
import { ipCommand } from './guests';
import { sshCommand } from './guests';
import { guestExecCommand } from './guests';
import { lsCommand } from './disks';
import { catCommand } from './disks';
import { diffCommand } from './disks';
import { copyInCommand } from './disks';
import { copyOutCommand } from './disks';

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
