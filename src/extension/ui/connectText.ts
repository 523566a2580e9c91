/** Why clones got no viewer, in the extension's words (the settings it names are the extension's). */
import type { Qq2Error } from '../../core/errors';
import type { CloneInfo } from '../../libvirt/api';
import type { ConnectResult, NotConnectedReason } from '../../libvirt/display';

/** What the command returns: the service's result, each clone not connected with the reason in the extension's words. */
export interface ConnectReport extends Omit<ConnectResult, 'notConnected'> {
  readonly notConnected: readonly { readonly clone: CloneInfo; readonly why: NotConnectedReason; readonly reason: string; readonly error?: Qq2Error }[];
}

/** The extension's words for why a clone got no viewer (the settings it names are the extension's). */
export function notConnectedText(why: NotConnectedReason): string {
  switch (why.kind) {
    case 'start-failed':
      return `could not start: ${why.error.message}`;
    case 'cancelled':
      return 'cancelled';
    case 'no-graphics':
      return 'it has no graphics device';
    case 'not-spice':
      return `its graphics are ${why.types.join(', ')}, not SPICE (Show Screen works)`;
    case 'no-viewer':
      return 'neither virt-viewer nor spicy is installed: install virt-viewer, or turn off qq2clone.useSpice';
    case 'spice-timeout':
      return `${why.error.message} Raise qq2clone.spiceTimeout to wait longer.`;
    case 'failed':
      return why.error.message;
  }
}

/** The service's result with each clone not connected said in the extension's words. */
export function inWords(r: ConnectResult): ConnectReport {
  return {
    ...r,
    notConnected: r.notConnected.map(({ clone, why }) => ({ clone, why, reason: notConnectedText(why), ...('error' in why ? { error: why.error } : {}) })),
  };
}
