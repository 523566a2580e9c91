/**
 * How the guest modules reach virsh. Short commands go through the service's sessions. A command whose session line
 * is long (agent JSON, monitor commands with a UUID) goes to a one-shot virsh: virsh's line editor wraps the echo of
 * an input line longer than its 80-column terminal width with a carriage return, so the session cannot tell the
 * echo from the reply (seen with `qemu-monitor-command UUID --hmp 'hostfwd_add ...'`).
 */
import type { LibvirtService } from '../api';
import { virshLine } from '../virsh';
import { virshVia } from '../serviceCore';
import { virshOn } from '../process';
import type { VirshCall } from './agent';

/** The prompt "virsh # " plus the line must stay below this for the session's echo to come back whole. */
const SESSION_LINE_LIMIT = 70;

export function guestVirsh(svc: LibvirtService): VirshCall {
  return async (args, signal) => {
    if (virshLine(args).length < SESSION_LINE_LIMIT) return virshVia(svc, args, signal);
    return (await virshOn(svc.config.uri, args, signal)).stdout;
  };
}
