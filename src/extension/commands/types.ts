import type * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import type { TreeApi } from '../tree';
import type { DiskApi } from '../disks';

/** What every command handler may use. */
export interface CommandContext {
  readonly host: ServiceHost;
  readonly tree: TreeApi;
  readonly output: vscode.LogOutputChannel;
  /** Extension-wide memory (exec command history); absent outside an extension context. */
  readonly globalState?: vscode.Memento;
  /** Disk access (libguestfs) and the disk file system; absent outside an extension context. */
  readonly disk?: DiskApi;
  /** Where the extension's files are (the usage panel's script); absent outside an extension context. */
  readonly extensionUri?: vscode.Uri;
}

/** A command: its id (as in package.json) and its handler. Tree commands receive (node?, nodes?). */
export interface CommandDefinition {
  readonly id: string;
  readonly run: (ctx: CommandContext, ...args: unknown[]) => unknown;
}
