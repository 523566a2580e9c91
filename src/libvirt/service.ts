/** The libvirt service: the one implementation of the contract in api.ts. */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { LibvirtError, LibvirtUnavailableError, XmlError, type Qq2Error } from '../core/errors';
import type {
  BatchOptions,
  BatchResult,
  CloneBatchResult,
  CloneInfo,
  CloneOperation,
  CloneOptions,
  CloneRef,
  Disposable,
  DomainEvent,
  ExternalSnapshotSupport,
  Inventory,
  LibvirtService,
  ServiceConfig,
  SnapshotAction,
  SnapshotInfo,
} from './api';
import { allMade, makeClones, type IdentityTarget } from './clones';
import type { IdentityWritten } from './identity';
import type { MetaCache, ServiceCore } from './serviceCore';
import { EventStream } from './virsh';
import { readInventory } from './clones';
import { Locks, lockDir, templateKey } from './process';
import { DEFAULT_POOL_SIZE, SessionPool } from './virsh';
import { runOnce, op } from './process';
import { parseDomain, type CloneMeta, type IdentitySetting } from './domain';
import { toolHome } from '../core/home';
import { runCloneOperation } from './clones';
import { readTemplate, writeTemplate } from './templates';
import { transportUri } from '../core/connectionUri';
import { openImageStore } from './storage';

/** The configuration with defaults filled in (QQ2CLONE_HOME or ~/storage-qq2clone). */
export function resolveConfig(config: ServiceConfig): Required<ServiceConfig> {
  const home = config.home ?? toolHome();
  return {
    uri: config.uri,
    home,
    templateDir: config.templateDir ?? path.join(home, 'templates'),
    storage: config.storage ?? path.join(home, 'qq2clone-pool'),
  };
}

export class Libvirt implements LibvirtService, ServiceCore {
  readonly config: Required<ServiceConfig>;
  readonly metaCache: MetaCache;
  private readonly pool: SessionPool;
  /** Locks on clones and templates, shared with every process that uses the same connection (process/locks.ts). */
  readonly locks: Locks;
  private readonly eventListeners = new Set<(e: DomainEvent) => void>();
  private readonly connListeners = new Set<(p: Qq2Error | undefined) => void>();
  private events: EventStream | undefined;
  private readonly cache = new Map<string, { meta: CloneMeta | null; epoch: number }>();
  private readonly nameToUuid = new Map<string, string>();
  /** The connection's last known problem (undefined while it is fine): listeners hear changes only. */
  private problem: Qq2Error | undefined;

  constructor(config: ServiceConfig, options: { sessions?: number } = {}) {
    this.config = resolveConfig(config);
    this.locks = new Locks(lockDir(this.config.uri));
    this.pool = new SessionPool(this.config.uri, options.sessions ?? DEFAULT_POOL_SIZE);
    const epochOk = () => this.events?.running === true;
    this.metaCache = {
      // Entries count only while the event stream that would tell us about redefinitions is running.
      get: (uuid) => {
        const e = this.cache.get(uuid);
        return e && epochOk() && e.epoch === this.events!.epoch ? e.meta : undefined;
      },
      set: (uuid, meta) => {
        if (epochOk()) this.cache.set(uuid, { meta, epoch: this.events!.epoch });
      },
      delete: (uuid) => void this.cache.delete(uuid),
    };
  }

  /**
   * Runs one virsh command through a session (for modules in src/libvirt/); returns stdout, throws typed errors.
   * Arguments are an array; TAB and line breaks are refused.
   */
  virsh(args: readonly string[], signal?: AbortSignal): Promise<string> {
    // A session line cannot carry TAB or line breaks: such arguments go to a one-shot process.
    const work = args.some((a) => /[\t\n\r]/.test(a))
      ? runOnce(op('virsh', ['-q', '-c', transportUri(this.config.uri), ...args]), signal, this.config.uri)
      : this.pool.run(args, signal);
    return work.then(
      (out) => {
        if (this.problem) this.setProblem(undefined);
        return out;
      },
      (e: unknown) => {
        if (e instanceof LibvirtUnavailableError) this.setProblem(e);
        throw e;
      },
    );
  }

  virshBatch(commands: readonly (readonly string[])[], signal?: AbortSignal, spread = 1): Promise<PromiseSettledResult<string>[]> {
    return this.pool.batch(commands, signal, spread);
  }

  warmSessions(count: number): void {
    this.pool.warm(count);
  }

  /** Runs a one-shot program (qemu-img, shred) with array arguments. */
  tool(command: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
    return runOnce(op(command, args), signal);
  }

  /** How many virsh sessions are open (figures, tests). */
  get sessions(): number {
    return this.pool.open;
  }

  async probe(signal?: AbortSignal): Promise<void> {
    await this.virsh(['uri'], signal);
  }

  inventory(signal?: AbortSignal): Promise<Inventory> {
    return readInventory(this, signal);
  }

  async clone(template: string, count: number, options?: CloneOptions): Promise<CloneInfo[]> {
    return allMade(await makeClones(this, template, count, options), count, options?.signal);
  }

  cloneBatch(template: string, count: number, options?: CloneOptions): Promise<CloneBatchResult> {
    return makeClones(this, template, count, options);
  }

  /** New clones' identities, written before they are defined (see clones/makeClones.ts and identity/). */
  async writeCloneIdentities(
    clones: readonly IdentityTarget[],
    templateXml: string,
    setting: IdentitySetting,
    signal?: AbortSignal,
    onGroupWritten?: (written: ReadonlyMap<string, IdentityWritten | Qq2Error>) => Promise<void>,
  ): Promise<Map<string, IdentityWritten | Qq2Error>> {
    // identity/ (with libguestfs) and guest/ are loaded when a clone gets an identity: the built CLI's list, rm
    // and clone of a template without one do not load them (see docs/ARCHITECTURE.md, How the CLI starts).
    const [{ identityJob, writeIdentities }, { knownHostsPath }] = await Promise.all([import('./identity'), import('./guests')]);
    const jobs = clones.map((c) => identityJob(c, templateXml, setting, c.disks));
    return writeIdentities(jobs, { knownHosts: knownHostsPath(this.config.home), ...(signal ? { signal } : {}), ...(onGroupWritten ? { onGroupWritten } : {}) });
  }

  run(operation: CloneOperation, clones: readonly CloneRef[], options?: BatchOptions): Promise<BatchResult> {
    return runCloneOperation(this, this.locks, operation, clones, options);
  }

  async snapshots(uuid: string, signal?: AbortSignal): Promise<SnapshotInfo[]> {
    const m = await (await import('./snapshots')).readSnapshots(this, [uuid], signal);
    const list = m.get(uuid);
    if (!list) throw new LibvirtError(`No domain with UUID ${uuid}: it was removed.`);
    return list;
  }

  async snapshotsOf(uuids: readonly string[], signal?: AbortSignal): Promise<Map<string, SnapshotInfo[]>> {
    return (await import('./snapshots')).readSnapshots(this, uuids, signal);
  }

  async snapshot(action: SnapshotAction, clones: readonly CloneRef[], options?: BatchOptions): Promise<BatchResult> {
    return (await import('./snapshots')).runSnapshotAction(this, this.locks, action, clones, options);
  }

  async externalSnapshots(signal?: AbortSignal): Promise<ExternalSnapshotSupport> {
    return (await import('./snapshots')).readExternalSupport(this, signal);
  }

  withCloneLock<T>(uuids: string | readonly string[], work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.locks.withCloneLock(uuids, work, signal);
  }

  withTemplateLock<T>(names: string | readonly string[], work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.locks.withAll((typeof names === 'string' ? [names] : names).map(templateKey), work, signal);
  }

  domainXml(uuid: string, options: { inactive?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    // With its secrets (graphics passwords...): what is read here is what gets defined again after an edit.
    return this.virsh(['dumpxml', ...(options.inactive === false ? [] : ['--inactive']), '--security-info', uuid], options.signal);
  }

  async defineXml(xml: string, signal?: AbortSignal): Promise<string> {
    const d = parseDomain(xml);
    if (!d.name) throw new XmlError('The domain XML has no <name>.');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'q2c-define-'));
    const file = path.join(dir, 'domain.xml');
    try {
      await fs.writeFile(file, xml);
      const [def, uuid] = await this.virshBatch([['define', file], ['domuuid', '--', d.name]], signal);
      if (def!.status === 'rejected') {
        // libvirt names the temporary file, which is gone by the time anyone reads the message.
        const e = def!.reason as Qq2Error;
        if (e instanceof Error) e.message = e.message.replace(`Failed to define domain from ${file}: `, '');
        throw e;
      }
      if (uuid!.status === 'rejected') throw uuid!.reason;
      const id = uuid!.value.trim();
      this.cache.delete(id);
      return id;
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  templateXml(name: string): Promise<string> {
    return readTemplate(this.config.templateDir, name);
  }

  async writeTemplateXml(name: string, xml: string): Promise<void> {
    await writeTemplate(this.config.templateDir, name, xml, (files) => openImageStore(this).makeReadOnly(files));
  }

  async cloneDisks(uuid: string, signal?: AbortSignal): Promise<string[]> {
    const d = parseDomain(await this.domainXml(uuid, { signal: signal! }));
    return d.disks.filter((k) => k.device === 'disk' && k.source).map((k) => k.source!);
  }

  private ensureEvents(): void {
    this.events ??= new EventStream(
      this.config.uri,
      (e) => {
        if (e.type === 'lifecycle' && /^(Defined|Undefined)$/.test(e.event)) this.forget(e.domain);
        if (e.type === 'metadata-change') this.forget(e.domain);
        for (const l of this.eventListeners) l({ domain: e.domain, event: e.event, detail: e.detail });
      },
      (p) => this.setProblem(p),
      () => this.probe(),
    );
    this.events.start();
  }

  private setProblem(p: Qq2Error | undefined): void {
    const changed = !!p !== !!this.problem;
    this.problem = p;
    if (changed) for (const l of this.connListeners) l(p);
  }

  private forget(name: string): void {
    // A name never listed is a new domain: its UUID cannot be cached yet.
    const uuid = this.nameToUuid.get(name);
    if (uuid) this.cache.delete(uuid);
  }

  /** Remembers names for event invalidation (events name domains, the cache keys by UUID). */
  noteNames(rows: readonly { name: string; uuid: string }[]): void {
    for (const r of rows) this.nameToUuid.set(r.name, r.uuid);
  }

  onEvent(listener: (e: DomainEvent) => void): Disposable {
    this.eventListeners.add(listener);
    this.ensureEvents();
    return { dispose: () => void this.eventListeners.delete(listener) };
  }

  onConnectionChange(listener: (problem: Qq2Error | undefined) => void): Disposable {
    this.connListeners.add(listener);
    this.ensureEvents();
    return { dispose: () => void this.connListeners.delete(listener) };
  }

  dispose(): void {
    this.events?.stop();
    this.pool.dispose();
    this.eventListeners.clear();
    this.connListeners.clear();
  }
}
