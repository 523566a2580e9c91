/**
 * Which machine states each SET operation can act upon (manual: CLONE COMMANDS). A set that names machines but
 * none of these is an error; the service skips the rest of a batch with a reason.
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

const ACTIVE: readonly CloneState[] = ['running', 'idle', 'paused', 'in-shutdown', 'pmsuspended', 'crashed'];

const ACCEPTS: Record<SetOperationName, readonly CloneState[] | 'any'> = {
  // "Start every machine in SET that is currently not running. For saved domains, their state will be restored."
  start: ['off', 'crashed', 'saved'],
  // "Invoke virsh destroy on any running machine in SET."
  destroy: ACTIVE,
  suspend: ['running', 'idle'],
  resume: ['paused'],
  save: ['running', 'idle', 'paused'],
  'save-rm': ['saved'],
  rm: 'any',
  'rm-wipe': 'any',
  'rm-shred': 'any',
};

/** Can `operation` act upon a machine in `state`? */
export function operationAccepts(operation: SetOperationName, state: CloneState): boolean {
  const a = ACCEPTS[operation];
  return a === 'any' || a.includes(state);
}
