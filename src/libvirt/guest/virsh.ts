/**
 * How the guest modules reach virsh: through the service's sessions, long lines (agent JSON, monitor commands)
 * included (a session answers exactly for lines of any length).
 */
import type { LibvirtService } from '../api';
import { virshVia } from '../serviceCore';
import type { VirshCall } from './agent';

export function guestVirsh(svc: LibvirtService): VirshCall {
  return (args, signal) => virshVia(svc, args, signal);
}
