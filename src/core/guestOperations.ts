/**
 * The operations on running guests (graceful power, addresses, SSH, commands through the guest agent) and the
 * machine states each acts upon, with the reason a machine is skipped. Like the SET operations' table
 * (operations.ts), the UI and the CLI filter with it and the service skips with it.
 */
import type { CloneState } from './states';

export type GuestOperationName = 'shutdown' | 'reboot' | 'reset' | 'guest-exec' | 'ip' | 'ssh';

export const GUEST_OPERATIONS: readonly GuestOperationName[] = ['shutdown', 'reboot', 'reset', 'guest-exec', 'ip', 'ssh'];

export function isGuestOperation(x: string): x is GuestOperationName {
  return (GUEST_OPERATIONS as readonly string[]).includes(x);
}

/** Why `operation` does not act upon a machine in `state`, or undefined when it does. */
export function guestSkipReason(operation: GuestOperationName, state: CloneState): string | undefined {
  const up = state === 'running' || state === 'idle';
  switch (operation) {
    // A paused guest cannot see the ACPI button or answer its agent: resume it first.
    case 'shutdown':
      if (state === 'in-shutdown') return 'already shutting down';
      if (state === 'paused') return 'paused: resume it first (a paused guest cannot react)';
      return up ? undefined : `not running (${state})`;
    case 'reboot':
      if (state === 'paused') return 'paused: resume it first (a paused guest cannot react)';
      return up ? undefined : `not running (${state})`;
    // A reset is done by QEMU itself: any live guest, paused or shutting down too.
    case 'reset':
      return up || state === 'paused' || state === 'in-shutdown' ? undefined : `not running (${state})`;
    case 'guest-exec':
    case 'ip':
    case 'ssh':
      return up ? undefined : `not running (${state})`;
  }
}
