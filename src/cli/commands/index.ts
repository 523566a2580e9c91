/**
 * The dispatch table: every command word the CLI knows, in the order -h lists them. Commands live in folders by
 * what they act on: clones/ (making clones, the manual's SET operations, one table in core/operations.ts), templates/, guests/ (running guests), disks/
 * (disk contents), snapshots/ (snapshots of clones), policy/ (power-off policies and the hook), settings/ (config, validate); shared/ holds what
 * they share. To add a command, write <folder>/<name>.ts exporting a CliCommand, export it from the folder's
 * index.ts and add it here; a new folder also gets its loader in groups.ts. The CLI itself does not import this
 * list: it loads only the group of the command it runs (manifest.ts); tests and the build read it.
 */
import type { CliCommand } from './shared';
import { cloneCliCommand, setOperationCliCommands } from './clones';
import { configCliCommand } from './settings';
import { execCliCommand } from './clones';
import { listCliCommand } from './clones';
import { listTemplatesCliCommand } from './templates';
import { validateCliCommand } from './settings';
import { importTemplateCliCommand } from './templates';
import { copyTemplateCliCommand } from './templates';
import { deleteTemplateCliCommand } from './templates';
import { modifyTemplateCliCommand } from './templates';
import { checkCliCommand } from './templates';
import { connectCliCommand } from './clones';
import { editCliCommand } from './clones';
import { hookCliCommand } from './policy';
import { policyCliCommand } from './policy';
import { identityCliCommand } from './clones';
import { shutdownCommand } from './guests';
import { rebootCommand } from './guests';
import { resetCommand } from './guests';
import { ipCliCommand } from './guests';
import { sshCliCommand } from './guests';
import { guestExecCliCommand } from './guests';
import { topCliCommand } from './guests';
import { vncCliCommand } from './guests';
import { lsCliCommand } from './disks';
import { catCliCommand } from './disks';
import { diffCliCommand } from './disks';
import { copyInCliCommand } from './disks';
import { copyOutCliCommand } from './disks';
import { snapshotCliCommand } from './snapshots';

/** The commands in the order -h lists them. */
export const CLI_COMMAND_LIST: readonly CliCommand[] = [
  cloneCliCommand,
  listCliCommand,
  ...setOperationCliCommands,
  execCliCommand,
  connectCliCommand,
  editCliCommand,
  policyCliCommand,
  identityCliCommand,
  listTemplatesCliCommand,
  configCliCommand,
  validateCliCommand,
  importTemplateCliCommand,
  copyTemplateCliCommand,
  deleteTemplateCliCommand,
  modifyTemplateCliCommand,
  checkCliCommand,
  // Beyond the manual: disk contents (libguestfs).
  lsCliCommand,
  catCliCommand,
  diffCliCommand,
  copyInCliCommand,
  copyOutCliCommand,
  // Beyond the manual: snapshots of clones.
  snapshotCliCommand,
  // Beyond the manual: running guests.
  shutdownCommand,
  rebootCommand,
  resetCommand,
  ipCliCommand,
  sshCliCommand,
  guestExecCliCommand,
  topCliCommand,
  vncCliCommand,
  // Beyond the manual: power-off policies' hook.
  hookCliCommand,
];

/** Command word -> command. */
export const CLI_COMMANDS: ReadonlyMap<string, CliCommand> = new Map(CLI_COMMAND_LIST.map((c) => [c.name, c]));
