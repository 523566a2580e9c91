/**
 * The contract of the libvirt service: what the tree, the commands, the XML documents, the terminals and the CLI
 * may ask of libvirt. Nothing outside src/libvirt/ spawns a process; everything goes through this interface.
 * Types only: no vscode, no I/O.
 */
import type { PowerOffPolicy } from '../core/powerOffPolicy';
import type { CloneState } from '../core/states';
import type { SetOperationName } from '../core/operations';
import type { Qq2Error } from '../core/errors';
import type { IdentitySetting } from './domain';

/** Where the tool keeps its files and which libvirt it talks to (the manual's CONFIG, resolved). */
export interface ServiceConfig {
  /** libvirt connection URI, e.g. qemu:///system. */
  readonly uri: string;
  /** Directory of template XML files (TEMPLATE_DIR). Default: <home>/templates. */
  readonly templateDir?: string;
  /** Where clone overlays and saved states go (STORAGE): an absolute path or a libvirt directory pool name. */
  readonly storage?: string;
  /** Root of the tool's files; default $QQ2CLONE_HOME or ~/storage-qq2clone. */
  readonly home?: string;
}

/** A template: an XML file in the template directory. */
export interface TemplateInfo {
  readonly name: string;
  /** Absolute path of the template's XML file. */
  readonly xmlPath: string;
  /** Disk source paths of the template (the clones' backing files). */
  readonly disks: readonly string[];
  /** Set when the file cannot be read or parsed: the template is listed, with this problem. */
  readonly problem?: string;
  /** A staging clone (modify-template prepare-image) exists for it. */
  readonly staging?: boolean;
  /** The power-off policy new clones inherit (absent: keep). */
  readonly policy?: PowerOffPolicy;
  /** New clones get their own identity (hostname pattern, machine-id, SSH host keys, maybe a key): absent: off. */
  readonly identity?: IdentitySetting;
}

/** A clone, known from the domain's own <metadata> (so a changed UUID or name does not lose it). */
export interface CloneInfo {
  readonly template: string;
  /** The clone's number within its template (>= 1); 0 for the staging clone. */
  readonly id: number;
  readonly name: string;
  readonly uuid: string;
  readonly state: CloneState;
  /** libvirt's reason for the state (e.g. destroyed, crashed, saved, user), for display. */
  readonly reason: string;
  /** Has a managed save image. */
  readonly saved: boolean;
  /** True for the staging clone of modify-template prepare-image. */
  readonly staging?: boolean;
  /** The storage directory its overlays were made in, as its bookkeeping records it (absent in older clones). */
  readonly storage?: string;
  /** What happens when it powers off, per its bookkeeping (absent: keep). */
  readonly policy?: PowerOffPolicy;
}

/** A domain libvirt has that is not ours (import-template offers these). */
export interface ForeignDomain {
  readonly name: string;
  readonly uuid: string;
  readonly state: CloneState;
}

/** Everything at once, read in a constant number of libvirt round trips. */
export interface Inventory {
  readonly templates: readonly TemplateInfo[];
  readonly clones: readonly CloneInfo[];
  readonly foreign: readonly ForeignDomain[];
}

/** Identifies a clone for an operation: its UUID is the key libvirt knows it by. */
export interface CloneRef {
  readonly template: string;
  readonly id: number;
  readonly uuid: string;
  readonly name: string;
}

/** The operations on SETs (manual: CLONE COMMANDS). */
export type CloneOperation = SetOperationName;

export interface ProgressReport {
  readonly done: number;
  readonly total: number;
  /** The item just finished, if any. */
  readonly item?: CloneRef;
}

export interface BatchOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ProgressReport) => void;
  /** How many slow operations at once (default: a small bound). */
  readonly concurrency?: number;
}

/** What a batch did: every requested item is in exactly one list. */
export interface BatchResult {
  readonly done: readonly CloneRef[];
  readonly skipped: readonly { readonly clone: CloneRef; readonly reason: string }[];
  readonly failed: readonly { readonly clone: CloneRef; readonly error: Qq2Error }[];
  /** Not started because the signal was aborted. */
  readonly cancelled: readonly CloneRef[];
}

/** A clone of a batch that could not be made (nothing of it is left), with libvirt's (or the tool's) error. */
export interface CloneFailure {
  readonly template: string;
  readonly id: number;
  readonly name: string;
  readonly error: Qq2Error;
  /** Undoing it failed: what was left behind (its error's message says it too). */
  readonly leftBehind?: string;
}

/** What a clone batch did: made + failed + cancelled is the number asked for. */
export interface CloneBatchResult {
  /** The clones made (they exist), by number. */
  readonly made: readonly CloneInfo[];
  /** The clones that failed and were undone, by number. */
  readonly failed: readonly CloneFailure[];
  /** How many were not made because the signal was aborted (any begun were undone). */
  readonly cancelled: number;
}

export interface CloneOptions extends BatchOptions {
  /** Start the new clones (the manual's --run / NORUN=0). */
  readonly run?: boolean;
  /** Overrides the configured STORAGE for these clones. */
  readonly storage?: string;
}

/** One snapshot of a clone (kept inside its qcow2 overlays), as the CLI's list and the tree show it. */
export interface SnapshotInfo {
  readonly name: string;
  readonly description: string;
  /** The domain's state when it was taken (libvirt's words: running, paused, shutoff...). */
  readonly state: string;
  /** When it was taken, in seconds since the epoch. */
  readonly created: number;
  readonly parent?: string;
  /** Its memory was kept: reverting brings the guest back running where it was. */
  readonly withMemory: boolean;
  /** Every disk's snapshot is inside its image (none external). */
  readonly internal: boolean;
  /** libvirt's current snapshot (the one the clone was last taken at or reverted to). */
  readonly current: boolean;
}

/** Whether external snapshots are offered on a connection (only where the daemon reverts them), and why not. */
export interface ExternalSnapshotSupport {
  readonly supported: boolean;
  /** The daemon's version as virsh reported it (undefined when it did not). */
  readonly daemon?: string;
  /** Why not, and what to do instead (set when not supported). */
  readonly reason?: string;
}

/** What to do with snapshots of clones: take one (with the memory of a running clone), go back to one, delete one. */
export type SnapshotAction =
  | {
      readonly kind: 'create';
      readonly name: string;
      readonly description?: string;
      /** Asked for an external snapshot: offered only where the daemon reverts them (externalSnapshots). */
      readonly external?: boolean;
    }
  | { readonly kind: 'revert'; readonly name: string }
  | { readonly kind: 'delete'; readonly name: string };

/** A libvirt lifecycle event, as parsed from `virsh event --loop`. */
export interface DomainEvent {
  readonly domain: string;
  readonly event: string;
  readonly detail: string;
}

export interface Disposable {
  dispose(): void;
}

/** The one service every part of the product goes through. */
export interface LibvirtService {
  readonly config: Required<ServiceConfig>;

  /** Check that virsh exists and the daemon answers; throws LibvirtUnavailableError with a hint otherwise. */
  probe(signal?: AbortSignal): Promise<void>;

  /** Templates, clones (with state) and foreign domains, in a constant number of round trips. */
  inventory(signal?: AbortSignal): Promise<Inventory>;

  /**
   * Make `count` clones of a template: overlays + defined domains; all-or-nothing per clone. Resolves with all of
   * them, or throws when any failed or the signal was aborted (the message counts the clones made; they exist).
   */
  clone(template: string, count: number, options?: CloneOptions): Promise<CloneInfo[]>;

  /**
   * Like clone, but reports each clone as made, failed (with its error) or cancelled instead of throwing; a failing
   * clone does not stop the others. Throws only when nothing could be made (no template, unusable storage...).
   */
  cloneBatch(template: string, count: number, options?: CloneOptions): Promise<CloneBatchResult>;

  /** Run one of the SET operations on these clones (skips those it does not apply to, with a reason). */
  run(operation: CloneOperation, clones: readonly CloneRef[], options?: BatchOptions): Promise<BatchResult>;

  /**
   * Runs `work` holding the locks of these clones (keyed by UUID), taken in sorted order. The locks hold across
   * processes (the extension and CLI runs on the same home and connection): SET operations (run) and other work
   * under these locks on the same clone wait for each other, so two changes of one clone never interleave. `work`
   * must not itself wait for an operation on the same clone. Waiting ends with CancelledError when `signal` aborts.
   */
  withCloneLock<T>(uuids: string | readonly string[], work: () => Promise<T>, signal?: AbortSignal): Promise<T>;

  /**
   * Runs `work` holding the locks of these templates (by name), across processes like withCloneLock: making clones
   * (their numbers), renaming, editing, deleting a template and its staging steps wait for each other. Template
   * locks are taken before clone locks, never while holding one.
   */
  withTemplateLock<T>(names: string | readonly string[], work: () => Promise<T>, signal?: AbortSignal): Promise<T>;

  /** A domain's XML (inactive definition by default), secrets included so that defining it back keeps them. */
  domainXml(uuid: string, options?: { inactive?: boolean; signal?: AbortSignal }): Promise<string>;

  /** Define (or redefine) a domain from XML. Returns its UUID. */
  defineXml(xml: string, signal?: AbortSignal): Promise<string>;

  /** A template's XML text. */
  templateXml(name: string): Promise<string>;

  /**
   * Write a template's XML atomically (creates or replaces). Its clonable disk images are made read-only on disk
   * first (PermissionError, and nothing written, when one cannot be).
   */
  writeTemplateXml(name: string, xml: string): Promise<void>;

  /** Disk paths of a clone (its overlays), in device order. */
  cloneDisks(uuid: string, signal?: AbortSignal): Promise<string[]>;

  /** A clone's snapshots, newest first, the current one marked. */
  snapshots(uuid: string, signal?: AbortSignal): Promise<SnapshotInfo[]>;

  /** The snapshots of several clones (by UUID) in two round trips; clones that are gone are left out. */
  snapshotsOf(uuids: readonly string[], signal?: AbortSignal): Promise<Map<string, SnapshotInfo[]>>;

  /**
   * Take, revert to or delete a snapshot on these clones, under their locks; a clone whose writable disks are not
   * all its own qcow2 overlays, or that libvirt cannot snapshot (UEFI, a saved state), fails with the reason.
   */
  snapshot(action: SnapshotAction, clones: readonly CloneRef[], options?: BatchOptions): Promise<BatchResult>;

  /**
   * Whether external snapshots are offered on this connection: only where the daemon reverts them (libvirt 9.9 and
   * later), from `virsh version --daemon`; when not, the reason and what to do instead.
   */
  externalSnapshots(signal?: AbortSignal): Promise<ExternalSnapshotSupport>;

  /** Follow lifecycle events; restarts the stream with backoff after a daemon restart. */
  onEvent(listener: (e: DomainEvent) => void): Disposable;

  /** Follow the connection's health: called with an error while the daemon is gone, undefined when it is back. */
  onConnectionChange(listener: (problem: Qq2Error | undefined) => void): Disposable;

  /** Close sessions and event streams, kill children. */
  dispose(): void;
}
