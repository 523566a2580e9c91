import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import { DiskAccess } from '../../libvirt/disks';

/** The disk access of the current service (rebuilt when the connection settings replace the service). */
export class DiskHost implements vscode.Disposable {
  private current: DiskAccess;
  private readonly sub: vscode.Disposable;

  constructor(private readonly host: ServiceHost) {
    this.current = this.make();
    this.sub = host.onDidChangeService(() => {
      void this.current.dispose();
      this.current = this.make();
    });
  }

  private make(): DiskAccess {
    const c = () => vscode.workspace.getConfiguration('qq2clone.disk');
    return new DiskAccess(this.host.service, {
      max: () => c().get<number>('maxAppliances', 2),
      idleMs: () => c().get<number>('idleSeconds', 300) * 1000,
    });
  }

  get disk(): DiskAccess {
    return this.current;
  }

  dispose(): void {
    this.sub.dispose();
    void this.current.dispose();
  }
}
