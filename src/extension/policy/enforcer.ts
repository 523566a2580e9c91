/**
 * Power-off policies applied by the extension itself, from libvirt's lifecycle events, while it runs and the qemu
 * hook is not in use by the daemon (the view says so: then policies only hold while VS Code is open). A "Stopped"
 * event of one of our clones with a policy is applied once libvirt reports the domain off, with the event's reason.
 * No vscode here: the extension wires it up, tests drive it against the daemon.
 */
import type { Disposable, DomainEvent, LibvirtService } from '../../libvirt/api';
import { applyPolicyOnStop, hookServes, reasonOfStoppedDetail, serviceTrust, type PolicyLogEntry } from '../../libvirt/policy';

export interface EnforcerOptions {
  /** The log the extension appends to (the user's qq2clone home). */
  readonly logFile: string;
  /**
   * True while the running system daemon uses the hook: then the hook acts, not the extension, for clones of
   * qemu:///system (those of other connections, such as qemu:///session, the hook never sees).
   */
  readonly hookActive: () => boolean | Promise<boolean>;
  /** Told of every entry (for the tree and the output channel). */
  readonly onAction?: (e: PolicyLogEntry) => void;
}

export class PolicyEnforcer implements Disposable {
  private sub: Disposable | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private disposed = false;

  constructor(
    private readonly svc: LibvirtService,
    private readonly o: EnforcerOptions,
  ) {
    this.sub = svc.onEvent((e) => this.onEvent(e));
  }

  private onEvent(e: DomainEvent): void {
    if (this.disposed || e.event.trim() !== 'Stopped') return;
    const p = this.handle(e.domain, e.detail).catch(() => undefined);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async handle(domain: string, detail: string): Promise<void> {
    if ((hookServes(this.svc.config.uri) && (await this.o.hookActive())) || this.disposed) return;
    // What a policy may touch: this user's storage and templates (the clone's own bookkeeping is never trusted).
    const trust = await serviceTrust(this.svc);
    const entry = await applyPolicyOnStop(this.svc, domain, {
      reason: reasonOfStoppedDetail(detail),
      by: 'extension',
      trust,
      logFile: this.o.logFile,
      waitOffMs: 10_000,
    });
    if (entry) this.o.onAction?.(entry);
  }

  /** Resolves when every policy started so far has been applied (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  dispose(): void {
    this.disposed = true;
    this.sub?.dispose();
    this.sub = undefined;
  }
}
