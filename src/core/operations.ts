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

/** Why `operation` does not act upon a machine in `state`, or undefined when it does. */
export function skipReason(operation: SetOperationName, state: CloneState): string | undefined {
  switch (operation) {
    // "Start every machine in SET that is currently not running. For saved domains, their state will be restored."
    case 'start':
      if (state === 'crashed') return 'crashed and still active (on_crash=preserve): destroy it first';
      return isActive(state) ? `already ${state}` : undefined;
    // "Invoke virsh destroy on any running machine in SET."
    case 'destroy':
      return isActive(state) ? undefined : `not running (${state})`;
    case 'suspend':
      return isGuestUp(state) ? undefined : `not running (${state})`;
    case 'resume':
      return state === 'paused' ? undefined : `not paused (${state})`;
    case 'save':
      return isGuestUp(state) || state === 'paused' ? undefined : `not running (${state})`;
    case 'save-rm':
      return state === 'saved' ? undefined : 'has no saved state';
    // rm, rm-wipe, rm-shred: any machine (an active one is destroyed first).
    case 'rm':
    case 'rm-wipe':
    case 'rm-shred':
      return undefined;
  }
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
