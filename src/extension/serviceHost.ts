import * as vscode from 'vscode';
import type { LibvirtService, ServiceConfig } from '../libvirt/api';
import { createLibvirtService } from '../libvirt';

/**
 * Holds the service for the configured connection; builds a new one when the settings that define it change
 * (URI, template directory, storage), and tells listeners so the tree and documents re-read everything.
 */
export class ServiceHost implements vscode.Disposable {
  private current: LibvirtService;
  private readonly changed = new vscode.EventEmitter<LibvirtService>();
  /** Fires with the new service after a settings change replaced it. */
  readonly onDidChangeService = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.current = createLibvirtService(readServiceConfig());
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (
        e.affectsConfiguration('qq2clone.connectionUri') ||
        e.affectsConfiguration('qq2clone.templateDirectory') ||
        e.affectsConfiguration('qq2clone.storage')
      ) {
        this.current.dispose();
        this.current = createLibvirtService(readServiceConfig());
        this.changed.fire(this.current);
      }
    });
  }

  get service(): LibvirtService {
    return this.current;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.current.dispose();
  }
}

/** The manual's CONFIG as VS Code settings; empty strings mean "the default". */
export function readServiceConfig(): ServiceConfig {
  const c = vscode.workspace.getConfiguration('qq2clone');
  const opt = (key: string): string | undefined => {
    const v = c.get<string>(key, '').trim();
    return v === '' ? undefined : v;
  };
  return {
    uri: c.get<string>('connectionUri', 'qemu:///system'),
    ...(opt('templateDirectory') ? { templateDir: opt('templateDirectory') } : {}),
    ...(opt('storage') ? { storage: opt('storage') } : {}),
  };
}
