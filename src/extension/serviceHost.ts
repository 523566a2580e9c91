import * as vscode from 'vscode';
import type { LibvirtService, ServiceConfig } from '../libvirt/api';
import { createLibvirtService } from '../libvirt';
import { hostSettings, sameConfig, type ConnectionEntry, type HostSetting } from './hostList';

/** What a command needs of its host: the service of that connection. */
export interface ServiceAccess {
  readonly service: LibvirtService;
}

/** One host of the view with its own service (its own sessions and event stream). */
export interface HostEntry extends ServiceAccess {
  readonly uri: string;
  readonly label: string;
  /** The configuration as the settings give it (the service fills in the defaults). */
  readonly setting: ServiceConfig;
}

const SETTINGS = ['qq2clone.connectionUri', 'qq2clone.templateDirectory', 'qq2clone.storage', 'qq2clone.connections'];

/**
 * The registry of hosts: one service per configured connection (`qq2clone.connectionUri` first, then
 * `qq2clone.connections`). A settings change keeps the services whose configuration is unchanged, disposes the
 * others and builds the new ones, and tells listeners so the tree and documents re-read everything.
 */
export class ServiceHost implements vscode.Disposable {
  private list: HostEntry[] = [];
  private readonly changed = new vscode.EventEmitter<LibvirtService>();
  private readonly hostsChanged = new vscode.EventEmitter<readonly HostEntry[]>();
  /** Fires with the new service after a settings change replaced the first host's. */
  readonly onDidChangeService = this.changed.event;
  /** Fires with the hosts after a settings change added, removed or replaced any. */
  readonly onDidChangeHosts = this.hostsChanged.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: (message: string) => void = () => undefined) {
    this.rebuild();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!SETTINGS.some((k) => e.affectsConfiguration(k))) return;
      const first = this.list[0]?.service;
      if (!this.rebuild()) return;
      if (this.list[0]!.service !== first) this.changed.fire(this.list[0]!.service);
      this.hostsChanged.fire(this.list);
    });
  }

  /** Re-reads the settings; true when any host was added, removed or replaced. */
  private rebuild(): boolean {
    const { hosts, ignored } = readHostSettings();
    for (const m of ignored) this.log(`qq2clone.connections: ${m}`);
    const old = this.list;
    const next = hosts.map((h) => {
      const same = old.find((o) => sameConfig(o.setting, h.config));
      return same && same.label === h.label ? same : same ? { ...same, label: h.label } : entry(h);
    });
    for (const o of old) if (!next.some((n) => n.service === o.service)) o.service.dispose();
    this.list = next;
    return old.length !== next.length || next.some((n, i) => n !== old[i]);
  }

  /** The first host's service (qq2clone.connectionUri). */
  get service(): LibvirtService {
    return this.list[0]!.service;
  }

  /** Every host, the first one first. */
  get hosts(): readonly HostEntry[] {
    return this.list;
  }

  /** The host with this URI (undefined: the first). */
  host(uri: string | undefined): HostEntry | undefined {
    return uri === undefined ? this.list[0] : this.list.find((h) => h.uri === uri);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.hostsChanged.dispose();
    for (const h of this.list) h.service.dispose();
    this.list = [];
  }
}

function entry(h: HostSetting): HostEntry {
  return { uri: h.uri, label: h.label, setting: h.config, service: createLibvirtService(h.config) };
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

function readHostSettings(): ReturnType<typeof hostSettings> {
  const raw = vscode.workspace.getConfiguration('qq2clone').get<unknown>('connections', []);
  return hostSettings(readServiceConfig(), Array.isArray(raw) ? (raw as ConnectionEntry[]) : []);
}
