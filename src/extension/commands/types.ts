import type * as vscode from 'vscode';
import type { ServiceAccess } from '../serviceHost';
import type { TreeApi } from '../tree';
import type { DiskApi } from '../disks';

/** What every command handler may use. */
export interface CommandContext {
  /** The host the command acts on (of its item, or the one picked from the palette). */
  readonly host: ServiceAccess;
  /** That host's tree. */
  readonly tree: TreeApi;
  readonly output: vscode.LogOutputChannel;
  /** Extension-wide memory (exec command history); absent outside an extension context. */
  readonly globalState?: vscode.Memento;
  /** Disk access (libguestfs) and the disk file system; absent outside an extension context. */
  readonly disk?: DiskApi;
  /** Where the extension's files are (the usage panel's script); absent outside an extension context. */
  readonly extensionUri?: vscode.Uri;
}

/**
 * Which host a command acts on when several are configured: `host` (the default) that of its item, from the
 * palette the one the user picks; `any`: no host (or every one: Refresh); `first`: the parts that serve only the
 * first host (XML documents, the disk file system, the power-off hook, the usage panel), refused on another's items.
 */
export type CommandHosts = 'host' | 'any' | 'first';

/** A command: its id (as in package.json) and its handler. Tree commands receive (node?, nodes?). */
export interface CommandDefinition {
  readonly id: string;
  /** Default `host`. */
  readonly hosts?: CommandHosts;
  readonly run: (ctx: CommandContext, ...args: unknown[]) => unknown;
}
