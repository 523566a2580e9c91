/**
 * The guest filesystems of clones and templates in VS Code's explorer and editors (scheme qq2clone-disk). The
 * first access of a disk starts its appliance under a notification with Cancel; later calls reuse it. Writes go
 * only to clones that are off (the service refuses the others, saying why); the explorer's drag-and-drop of local
 * files into a disk folder arrives here as writeFile/createDirectory.
 */
import * as vscode from 'vscode';
import { CancelledError, PermissionError, type Qq2Error } from '../../core/errors';
import { isDir, isLink } from '../../core/treeDiff';
import { GuestPathError, targetKey, targetWhat, type DiskTarget } from '../../libvirt/disks';
import type { DiskHost } from './host';
import { DISK_SCHEME, parseDiskPath, type DiskLocation } from './uri';

/** Files larger than this are not opened in the editor (copy them out instead). */
const MAX_EDITOR_BYTES = 64 * 1024 * 1024;

const fileType = (mode: number): vscode.FileType =>
  isDir(mode) ? vscode.FileType.Directory : isLink(mode) ? vscode.FileType.SymbolicLink : vscode.FileType.File;

export class DiskFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly opening = new Map<string, Promise<unknown>>();

  constructor(
    private readonly host: DiskHost,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** Starts the appliance of `t` under a cancellable notification, once; later calls find it open. */
  ensureOpen(t: DiskTarget): Promise<unknown> {
    const key = targetKey(t);
    if (this.host.disk.open.includes(key)) return Promise.resolve();
    let p = this.opening.get(key);
    if (!p) {
      p = Promise.resolve(
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Opening the disk of ${targetWhat(t)} (libguestfs appliance, 15-20 s)`, cancellable: true },
          async (_progress, token) => {
            const abort = new AbortController();
            const sub = token.onCancellationRequested(() => abort.abort());
            try {
              const r = await this.host.disk.openDisk(t, abort.signal);
              this.output.info(`Opened ${targetWhat(t)} ${r.readonly ? 'read-only' : 'read-write'}: ${r.mounts.map((m) => `${m.device} (${m.type}) at ${m.mountpoint}`).join(', ')}`);
              return r;
            } finally {
              sub.dispose();
            }
          },
        ),
      ).finally(() => this.opening.delete(key));
      this.opening.set(key, p);
    }
    return p;
  }

  private loc(uri: vscode.Uri): DiskLocation {
    const l = parseDiskPath(uri.path, uri.query);
    if (!l) throw vscode.FileSystemError.FileNotFound(uri);
    return l;
  }

  /** Runs one call, mapping the service's errors to the explorer's (and logging the others with their detail). */
  private async call<T>(uri: vscode.Uri, work: (l: DiskLocation) => Promise<T>): Promise<T> {
    const l = this.loc(uri);
    try {
      await this.ensureOpen(l.target);
      return await work(l);
    } catch (e) {
      throw this.mapError(uri, e as Qq2Error);
    }
  }

  private mapError(uri: vscode.Uri, e: Qq2Error): Error {
    if (e instanceof GuestPathError) {
      switch (e.errno) {
        case 'ENOENT':
          return vscode.FileSystemError.FileNotFound(uri);
        case 'EEXIST':
          return vscode.FileSystemError.FileExists(uri);
        case 'ENOTDIR':
          return vscode.FileSystemError.FileNotADirectory(uri);
        case 'EISDIR':
          return vscode.FileSystemError.FileIsADirectory(uri);
      }
    }
    if (e instanceof PermissionError) return vscode.FileSystemError.NoPermissions(e.message);
    if (e instanceof CancelledError) return vscode.FileSystemError.Unavailable('Opening the disk was cancelled.');
    this.output.error(`${uri.toString()}: ${e.message}`);
    if (e.failure?.stderr) this.output.error(e.failure.stderr);
    return vscode.FileSystemError.Unavailable(e.message);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    return this.call(uri, async (l) => {
      const s = await this.host.disk.stat(l.target, l.path, undefined, l.base ? 'b' : 'm');
      const type = isLink(s.mode) ? vscode.FileType.SymbolicLink | (s.targetMode !== undefined ? fileType(s.targetMode) : vscode.FileType.Unknown) : fileType(s.mode);
      const readonly = l.base || this.host.disk.isReadonly(l.target) !== false;
      return { type, ctime: s.ctime, mtime: s.mtime, size: s.size, ...(readonly ? { permissions: vscode.FilePermission.Readonly } : {}) };
    });
  }

  readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.call(uri, async (l) => (await this.host.disk.readdir(l.target, l.path, undefined, l.base ? 'b' : 'm')).map(([n, mode]) => [n, fileType(mode)]));
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.call(uri, (l) => this.host.disk.readFile(l.target, l.path, { limit: MAX_EDITOR_BYTES, side: l.base ? 'b' : 'm' }));
  }

  private writable(uri: vscode.Uri): DiskLocation {
    const l = this.loc(uri);
    if (l.base) throw vscode.FileSystemError.NoPermissions('The template side of a comparison is read-only.');
    return l;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    this.writable(uri);
    return this.call(uri, async (l) => {
      await this.host.disk.writeFile(l.target, l.path, content, options);
      this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    });
  }

  createDirectory(uri: vscode.Uri): Promise<void> {
    this.writable(uri);
    return this.call(uri, async (l) => {
      await this.host.disk.mkdir(l.target, l.path);
      this.changed.fire([{ type: vscode.FileChangeType.Created, uri }]);
    });
  }

  delete(uri: vscode.Uri, options: { recursive: boolean }): Promise<void> {
    this.writable(uri);
    return this.call(uri, async (l) => {
      await this.host.disk.delete(l.target, l.path, options.recursive);
      this.changed.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
    });
  }

  rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    this.writable(oldUri);
    const to = this.writable(newUri);
    return this.call(oldUri, async (l) => {
      if (targetKey(l.target) !== targetKey(to.target)) throw new PermissionError('Files move only within one disk; copy them out and in instead.');
      await this.host.disk.rename(l.target, l.path, to.path, options.overwrite);
      this.changed.fire([
        { type: vscode.FileChangeType.Deleted, uri: oldUri },
        { type: vscode.FileChangeType.Created, uri: newUri },
      ]);
    });
  }
}

export { DISK_SCHEME };
