/**
 * One host of the view: its tree controller (model, refresh scheduler, its own event stream and health), the
 * addresses and live usage of its running clones, and its item provider. The first host's follows the service of
 * `qq2clone.connectionUri` across settings changes; the others live as long as their entry of `qq2clone.connections`.
 */
import * as vscode from 'vscode';
import type { LibvirtService } from '../../libvirt/api';
import { UsageSampler } from '../../libvirt/stats';
import { isActive } from '../../core/operations';
import type { HostEntry } from '../serviceHost';
import type { BusyRegistry } from './busy';
import { TreeController, type Unavailable, type UpdateSource } from './controller';
import type { ChangeSet } from './model';
import { TemplatesProvider } from './provider';
import { TreeAddresses } from './addresses';
import { UsagePoller, type UsageRead } from './usagePoller';

/** What a host's tree reports to the view around it. */
export interface HostTreeHooks {
  /** An inventory read succeeded (the model holds it). */
  read(tree: HostTree): void;
  changed(tree: HostTree, changes: ChangeSet, source: UpdateSource): void;
  availability(tree: HostTree, u: Unavailable | undefined): void;
  readonly output: vscode.LogOutputChannel;
}

const usageRead = (service: LibvirtService): UsageRead => {
  const sampler = new UsageSampler(service);
  return (names, signal) => sampler.sample(names, signal);
};
const usageSeconds = (): number => vscode.workspace.getConfiguration('qq2clone').get<number>('usage.refreshSeconds', 3);

export class HostTree implements vscode.Disposable {
  readonly controller: TreeController;
  readonly addresses: TreeAddresses;
  readonly usage: UsagePoller;
  readonly provider: TemplatesProvider;
  /** Templates being cloned on this host, by name. */
  readonly cloning: BusyRegistry;
  /** The root node of this host in a view of several hosts (a new one when the first host's URI changes). */
  root: HostRootNode;
  private current: HostEntry;

  constructor(
    entry: HostEntry,
    /** Whether the nodes carry the host's URI (every host but the first). */
    tagged: boolean,
    busy: BusyRegistry,
    cloning: BusyRegistry,
    hooks: HostTreeHooks,
  ) {
    this.current = entry;
    this.cloning = cloning;
    this.root = { kind: 'host', key: `host:${entry.uri}`, uri: entry.uri };
    const prefix = tagged ? `${entry.label}: ` : '';
    this.controller = new TreeController(
      () => this.current.service,
      {
        read: () => hooks.read(this),
        changed: (changes, source) => hooks.changed(this, changes, source),
        availability: (u) => hooks.availability(this, u),
        log: (level, message) => hooks.output[level](prefix + message),
      },
      undefined,
      tagged ? entry.uri : undefined,
    );
    const model = this.controller.model;
    this.addresses = new TreeAddresses(() => this.current.service, (name) => model.cloneByName(name));
    const running = () => model.templates.flatMap((t) => t.clones.filter((c) => !c.clone.staging && isActive(c.clone.state)).map((c) => c.clone.name));
    this.usage = new UsagePoller(usageRead(entry.service), running, (m) => hooks.output.warn(prefix + m), { intervalMs: usageSeconds() * 1000 });
    this.provider = new TemplatesProvider(
      model,
      busy,
      () => this.current.service,
      () => this.controller.unavailable === undefined,
      (message) => hooks.output.warn(prefix + message),
      this.addresses,
      this.usage,
    );
    this.controller.follow(entry.service);
    this.addresses.follow(entry.service);
  }

  get entry(): HostEntry {
    return this.current;
  }

  /** Follow a new service for this host (a settings change replaced it), or only its new label. */
  follow(entry: HostEntry): void {
    const same = entry.service === this.current.service;
    this.current = entry;
    if (entry.uri !== this.root.uri) this.root = { kind: 'host', key: `host:${entry.uri}`, uri: entry.uri };
    if (same) return;
    this.controller.follow(entry.service);
    this.addresses.follow(entry.service);
    this.usage.follow(usageRead(entry.service));
    void this.controller.scheduler.now();
  }

  dispose(): void {
    this.controller.dispose();
    this.addresses.dispose();
    this.usage.dispose();
    this.provider.dispose();
  }
}

/** A host's root in a view of several hosts: its label, and why it is unreachable when it is. */
export interface HostRootNode {
  readonly kind: 'host';
  readonly key: string;
  /** The host's connection URI. */
  readonly uri: string;
}
