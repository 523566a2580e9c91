/** libvirt domain states and reasons mapped to the manual's eight states. */
import type { CloneState } from '../../core/states';

const STATES: readonly CloneState[] = ['off', 'running', 'idle', 'paused', 'in-shutdown', 'off', 'crashed', 'pmsuspended'];

/** Reason names per libvirt state (virDomain*Reason), as virsh domstate --reason prints them. */
const REASONS: Record<number, readonly string[]> = {
  0: ['unknown'],
  1: ['unknown', 'booted', 'migrated', 'restored', 'from snapshot', 'unpaused', 'migration canceled', 'save canceled',
    'event wakeup', 'crashed', 'post-copy', 'post-copy failed'],
  2: ['unknown'],
  3: ['unknown', 'user', 'migrating', 'saving', 'dumping', 'I/O error', 'watchdog', 'from snapshot', 'shutting down',
    'creating snapshot', 'crashed', 'starting up', 'post-copy', 'post-copy failed', 'api error'],
  4: ['unknown', 'user'],
  5: ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'],
  6: ['unknown', 'panicked'],
  7: ['unknown'],
};

/** The manual's state for libvirt's (state, reason) and whether a managed save image exists. */
export function mapState(state: number, reason: number, hasManagedSave: boolean): { state: CloneState; reason: string } {
  const why = REASONS[state]?.[reason] ?? 'unknown';
  if (hasManagedSave && (state === 5 || state === 0)) return { state: 'saved', reason: 'saved' };
  return { state: STATES[state] ?? 'off', reason: why };
}
