/**
 * The tree's live data path without vscode: follows the service's lifecycle events (applied to the model at once,
 * then confirmed by a debounced inventory read) and its connection health, and says what changed. The
 * TreeDataProvider glue (index.ts) and bench/tree-refresh.ts both drive this class.
 */
import { LibvirtUnavailableError, asQq2Error, type Qq2Error, type UnavailableReason } from '../../core/errors';
import type { Disposable, Inventory, LibvirtService } from '../../libvirt/api';
import { TreeModel, type ChangeSet } from './model';
import { RefreshScheduler, type SchedulerOptions } from './scheduler';

/** Why the tree is empty because of libvirt, as shown in the view's message and welcome content. */
export interface Unavailable {
  readonly reason: UnavailableReason;
  readonly message: string;
}

/** What an update came from. */
export type UpdateSource = 'event' | 'inventory' | 'unavailable' | 'busy' | 'addresses' | 'usage';

export interface ControllerHooks {
  /** An inventory read succeeded and the model holds it (also the first read after libvirt was unavailable). */
  read?(): void;
  /** The model changed: re-render these nodes (or all). */
  changed(changes: ChangeSet, source: UpdateSource): void;
  /** libvirt became unreachable (with why) or reachable again (undefined). */
  availability(u: Unavailable | undefined): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export function describeUnavailable(err: Qq2Error): Unavailable {
  if (err instanceof LibvirtUnavailableError) return { reason: err.reason, message: `${err.message} ${err.hint}` };
  return { reason: 'other', message: err.message };
}

/** Events that may add, remove or rename domains (so possibly clones). */
const STRUCTURAL = /^(defined|undefined|renamed)$/i;

export class TreeController {
  readonly model: TreeModel;
  readonly scheduler: RefreshScheduler;
  inventory: Inventory | undefined;
  unavailable: Unavailable | undefined;
  private subscriptions: Disposable[] = [];

  constructor(
    private readonly service: () => LibvirtService,
    private readonly hooks: ControllerHooks,
    options?: SchedulerOptions,
    /** The connection URI the model's nodes carry (absent: the first host). */
    host?: string,
  ) {
    this.model = new TreeModel(host);
    this.scheduler = new RefreshScheduler(() => this.read(), options);
  }

  /** Subscribe to a (new) service's events and health. */
  follow(service: LibvirtService): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [
      service.onEvent((e) => {
        const changes = this.model.applyEvent(e);
        if (changes.nodes.length) this.hooks.changed(changes, 'event');
        // Other domains' state changes do not concern the tree; a definition may be a new clone of ours.
        if (this.model.cloneByName(e.domain) || STRUCTURAL.test(e.event.trim())) this.scheduler.request();
      }),
      service.onConnectionChange((problem) => {
        if (problem) {
          this.inventory = undefined;
          this.setUnavailable(describeUnavailable(problem));
        } else void this.scheduler.now();
      }),
    ];
  }

  private setUnavailable(u: Unavailable | undefined): void {
    const was = this.unavailable;
    this.unavailable = u;
    if (u && (!was || was.message !== u.message)) this.hooks.log('warn', `libvirt unavailable: ${u.message}`);
    if (!u && was) this.hooks.log('info', 'libvirt is reachable again.');
    this.hooks.availability(u);
  }

  /**
   * One inventory read; failures make the tree unavailable with the reason. A read of a service that a settings
   * change replaced meanwhile (and disposed) is dropped, whatever its outcome: the new service's read follows.
   */
  async read(): Promise<void> {
    const service = this.service();
    let inventory: Inventory;
    try {
      inventory = await service.inventory();
    } catch (e) {
      if (this.service() !== service) return;
      let err = asQq2Error(e);
      if (!(err instanceof LibvirtUnavailableError)) {
        // Tell "libvirt is gone" apart from a failure of the read itself.
        err = await service.probe().then(() => err, asQq2Error);
        if (this.service() !== service) return;
      }
      this.inventory = undefined;
      this.hooks.log('error', `Reading libvirt failed: ${err.message}${err.failure.stderr ? `\n${err.failure.stderr}` : ''}`);
      this.setUnavailable(describeUnavailable(err));
      return;
    }
    if (this.service() !== service) return;
    this.inventory = inventory;
    const changes = this.model.update(inventory);
    this.hooks.read?.();
    if (this.unavailable) this.setUnavailable(undefined);
    else this.hooks.changed(changes, 'inventory');
  }

  dispose(): void {
    this.scheduler.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
  }
}
