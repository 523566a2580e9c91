/** Registers the disk file system (qq2clone-disk:) and the disk access the disk commands use. */
import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import { DiskHost } from './host';
import { DiskFileSystem } from './provider';
import { DISK_SCHEME } from './uri';

export { DiskHost } from './host';
export { DiskFileSystem } from './provider';
export { DISK_SCHEME, diskPath, parseDiskPath } from './uri';

export interface DiskApi {
  readonly host: DiskHost;
  readonly fs: DiskFileSystem;
}

export function registerDisk(context: vscode.ExtensionContext, host: ServiceHost, output: vscode.LogOutputChannel): DiskApi {
  const disk = new DiskHost(host);
  const fs = new DiskFileSystem(disk, output);
  context.subscriptions.push(disk, vscode.workspace.registerFileSystemProvider(DISK_SCHEME, fs, { isCaseSensitive: true }));
  return { host: disk, fs };
}
