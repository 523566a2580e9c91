/**
 * The one table of which machine states each SET operation can act upon (manual: CLONE COMMANDS), with the reason
 * an operation skips a machine. The UI and the CLI filter with operationAccepts, the service skips with skipReason:
 * both read this table. A set that names machines but none of these is an error; the service skips the rest of a
 * batch with the reason.
 *
 * `crashed` is libvirt's CRASHED state, which a domain keeps only while it is still active: its guest panicked and
 * on_crash=preserve keeps QEMU alive for inspection. So it is active: destroy (and rm) act on it, start does not
 * (libvirt answers "Domain is already active"). A domain that crashed and was stopped is `off`, reason crashed.
 */
import type { CloneState } from './states';

export type SetOperationName =
  | 'start'
  | 'destroy'
  | 'suspend'
  | 'resume'
  | 'save'
  | 'save-rm'
  | 'rm'
  | 'rm-wipe'
  | 'rm-shred';

/** States in which the domain is active (a QEMU process exists). */
export const ACTIVE_STATES: readonly CloneState[] = ['running', 'idle', 'paused', 'in-shutdown', 'pmsuspended', 'crashed'];

/** Active states in which QEMU is between states a snapshot can keep: taking one is refused. */
export const SNAPSHOT_UNSAFE_STATES: readonly CloneState[] = ['in-shutdown', 'pmsuspended', 'crashed'];

/** Is a machine in `state` active (destroy applies, rm destroys it first)? */
export function isActive(state: CloneState): boolean {
  return ACTIVE_STATES.includes(state);
}

/** Is the guest of a machine in `state` executing (not paused, not shutting down): it can react, suspend applies? */
export function isGuestUp(state: CloneState): boolean {
  return state === 'running' || state === 'idle';
}

/** Is a machine in `state` running as the status bar counts it: its guest executes, or is shutting down? */
export function isRunning(state: CloneState): boolean {
  return isGuestUp(state) || state === 'in-shutdown';
}

/** How a SET operation presents itself in both front ends, and which states it acts upon. */
export interface SetOperationInfo {
  readonly name: SetOperationName;
  /** The extension's command id. */
  readonly command: string;
  /** Its name in a list of actions (Select by SET), e.g. "Delete". */
  readonly label: string;
  /** Title of progress and messages, e.g. "Delete clones". */
  readonly title: string;
  /** Label on a clone while the operation runs on it, e.g. "deleting". */
  readonly busyLabel: string;
  /** The CLI's report of a clone done, before its name: "Removed". */
  readonly done: string;
  /** The CLI's -h line (the manual's words). */
  readonly summary: string;
  /** Destructive operations ask once (modally in the extension): the button's verb and what it does. */
  readonly confirm?: { readonly verb: string; readonly consequence: string };
  /** Why the operation does not act upon a machine in `state`, or undefined when it does. */
  readonly skip: (state: CloneState) => string | undefined;
}

const notRunning = (state: CloneState): string => `not running (${state})`;
const anyMachine = (): undefined => undefined;

/**
 * The one table of the manual's SET operations, in the order menus and -h list them. Both front ends build their
 * commands from it; the service runs each through `runCloneOperation`. A new SET operation is a row here and its
 * service function.
 */
export const SET_OPERATIONS: readonly SetOperationInfo[] = [
  {
    // "Start every machine in SET that is currently not running. For saved domains, their state will be restored."
    name: 'start', command: 'qq2clone.start', label: 'Start', title: 'Start clones', busyLabel: 'starting', done: 'Started',
    summary: 'Start every machine in SET that is not running; saved machines are restored.',
    skip: (state) => (state === 'crashed' ? 'crashed and still active (on_crash=preserve): destroy it first' : isActive(state) ? `already ${state}` : undefined),
  },
  {
    // "Invoke virsh destroy on any running machine in SET."
    name: 'destroy', command: 'qq2clone.destroy', label: 'Destroy', title: 'Destroy clones', busyLabel: 'destroying', done: 'Destroyed',
    summary: 'Forcibly turn off every running machine in SET.',
    confirm: { verb: 'Destroy', consequence: 'Each running clone is forcibly turned off, like pulling the plug: what the guest had not written to disk is lost.' },
    skip: (state) => (isActive(state) ? undefined : notRunning(state)),
  },
  {
    name: 'suspend', command: 'qq2clone.suspend', label: 'Suspend', title: 'Suspend clones', busyLabel: 'suspending', done: 'Suspended',
    summary: 'Suspend execution of every machine in SET.',
    skip: (state) => (isGuestUp(state) ? undefined : notRunning(state)),
  },
  {
    name: 'resume', command: 'qq2clone.resume', label: 'Resume', title: 'Resume clones', busyLabel: 'resuming', done: 'Resumed',
    summary: 'Resume every suspended machine in SET.',
    skip: (state) => (state === 'paused' ? undefined : `not paused (${state})`),
  },
  {
    name: 'save', command: 'qq2clone.save', label: 'Save', title: 'Save clones', busyLabel: 'saving', done: 'Saved',
    summary: 'Save the execution state of every running machine in SET to file.',
    skip: (state) => (isGuestUp(state) || state === 'paused' ? undefined : notRunning(state)),
  },
  {
    name: 'save-rm', command: 'qq2clone.saveRm', label: 'Delete Saved State', title: 'Delete saved states', busyLabel: 'removing saved state',
    done: 'Removed the saved state of', summary: 'Delete the saved state of every machine in SET.',
    skip: (state) => (state === 'saved' ? undefined : 'has no saved state'),
  },
  // rm, rm-wipe, rm-shred: any machine (an active one is destroyed first).
  {
    name: 'rm', command: 'qq2clone.rm', label: 'Delete', title: 'Delete clones', busyLabel: 'deleting', done: 'Removed',
    summary: 'Destroy (if running), undefine and delete the storage of every machine in SET.',
    confirm: { verb: 'Delete', consequence: 'Each clone is turned off if running, undefined, and its disk images and saved state are deleted.' },
    skip: anyMachine,
  },
  {
    name: 'rm-wipe', command: 'qq2clone.rmWipe', label: 'Delete and Wipe', title: 'Delete and wipe clones', busyLabel: 'wiping', done: 'Wiped and removed',
    summary: 'Destroy (if running), undefine, wipe and delete the storage of every machine in SET.',
    confirm: { verb: 'Delete and Wipe', consequence: 'Each clone is turned off if running, undefined, and its disk images are wiped by libvirt (overwritten) and deleted.' },
    skip: anyMachine,
  },
  {
    name: 'rm-shred', command: 'qq2clone.rmShred', label: 'Delete and Shred', title: 'Delete and shred clones', busyLabel: 'shredding', done: 'Shredded and removed',
    summary: 'Destroy (if running), undefine, shred and delete the storage of every machine in SET.',
    confirm: { verb: 'Delete and Shred', consequence: 'Each clone is turned off if running, undefined, and its disk images are shredded and deleted.' },
    skip: anyMachine,
  },
];

/** The row of a SET operation. */
export function setOperationInfo(operation: SetOperationName): SetOperationInfo {
  return SET_OPERATIONS.find((o) => o.name === operation)!;
}

/** Why `operation` does not act upon a machine in `state`, or undefined when it does. */
export function skipReason(operation: SetOperationName, state: CloneState): string | undefined {
  return setOperationInfo(operation).skip(state);
}

/*
 * The operations on running guests (graceful power, addresses, SSH, commands through the guest agent) and the
 * machine states each acts upon, with the reason a machine is skipped: the same table's second half.
 */
export type GuestOperationName = 'shutdown' | 'reboot' | 'reset' | 'guest-exec' | 'ip' | 'ssh' | 'top';

export const GUEST_OPERATIONS: readonly GuestOperationName[] = ['shutdown', 'reboot', 'reset', 'guest-exec', 'ip', 'ssh', 'top'];

export function isGuestOperation(x: string): x is GuestOperationName {
  return (GUEST_OPERATIONS as readonly string[]).includes(x);
}

/** Why `operation` does not act upon a machine in `state`, or undefined when it does. */
export function guestSkipReason(operation: GuestOperationName, state: CloneState): string | undefined {
  const up = isGuestUp(state);
  switch (operation) {
    // A paused guest cannot see the ACPI button or answer its agent: resume it first.
    case 'shutdown':
      if (state === 'in-shutdown') return 'already shutting down';
      if (state === 'paused') return 'paused: resume it first (a paused guest cannot react)';
      return up ? undefined : `not running (${state})`;
    case 'reboot':
      if (state === 'paused') return 'paused: resume it first (a paused guest cannot react)';
      return up ? undefined : `not running (${state})`;
    // A reset is done by QEMU itself, usage is read from QEMU: any live guest, paused or shutting down too.
    case 'reset':
    case 'top':
      return up || state === 'paused' || state === 'in-shutdown' ? undefined : `not running (${state})`;
    case 'guest-exec':
    case 'ip':
    case 'ssh':
      return up ? undefined : `not running (${state})`;
  }
}

/** A SET operation of the manual, or one on running guests. */
export type AnyOperationName = SetOperationName | GuestOperationName;

/** Can `operation` act upon a machine in `state`? */
export function operationAccepts(operation: AnyOperationName, state: CloneState): boolean {
  if (isGuestOperation(operation)) return guestSkipReason(operation, state) === undefined;
  return skipReason(operation, state) === undefined;
}

/**
 * Operations that stop, revert or delete machines (or run arbitrary commands in them): their SET box starts empty,
 * so Enter never acts on a set the user did not type.
 */
const NO_PREFILL: readonly AnyOperationName[] = ['destroy', 'suspend', 'save', 'save-rm', 'rm', 'rm-wipe', 'rm-shred', 'shutdown', 'reboot', 'reset', 'guest-exec'];

/** What the SET box for `operation` starts with: `all` only where acting on every clone does no harm. */
export function setBoxPrefill(operation: AnyOperationName | undefined): string {
  return operation && NO_PREFILL.includes(operation) ? '' : 'all';
}
