/** What the status bar entry says (pure: the unit tests read it). */
import type { CloneInfo } from '../../libvirt/api';
import { isRunning } from '../../core/operations';

export interface StatusText {
  readonly text: string;
  readonly tooltip: string;
}

/** Clones that run: running, idle or shutting down (paused, saved and off ones do not). */
export function runningCount(clones: readonly CloneInfo[]): number {
  return clones.filter((c) => !c.staging && isRunning(c.state)).length;
}

/**
 * `uri`: the connection; `clones`: the last inventory's (undefined before the first read); `unavailable`: why libvirt
 * cannot be used, when it cannot.
 */
export function statusBarText(uri: string, clones: readonly CloneInfo[] | undefined, unavailable?: string): StatusText {
  const click = 'Click to show the qq2clone view.';
  if (unavailable) {
    return { text: `$(vm-outline) ${uri}: unavailable`, tooltip: `qq2clone: ${uri} cannot be used: ${unavailable}\n${click}` };
  }
  if (!clones) return { text: `$(vm-outline) ${uri}`, tooltip: `qq2clone: connecting to ${uri}…\n${click}` };
  const all = clones.filter((c) => !c.staging).length;
  const running = runningCount(clones);
  return {
    text: `$(vm-running) ${uri}: ${running} running`,
    tooltip: `qq2clone: connected to ${uri}; ${running} of ${all} clone${all === 1 ? '' : 's'} running.\n${click}`,
  };
}

/** One host as the status bar counts it. */
export interface HostCount {
  readonly label: string;
  readonly uri: string;
  /** The host's clones (undefined before the first read). */
  readonly clones: readonly CloneInfo[] | undefined;
  /** Why the host cannot be used, when it cannot. */
  readonly unavailable?: string;
}

/** With several hosts: the running clones per host ("lab: 2 running · far: unavailable"), each host's line in the tooltip. */
export function statusBarHostsText(hosts: readonly HostCount[]): StatusText {
  if (hosts.length === 1) return statusBarText(hosts[0]!.uri, hosts[0]!.clones, hosts[0]!.unavailable);
  const short = (h: HostCount): string => (h.unavailable ? 'unavailable' : h.clones ? `${runningCount(h.clones)} running` : '…');
  const line = (h: HostCount): string => {
    if (h.unavailable) return `${h.label} (${h.uri}) cannot be used: ${h.unavailable}`;
    if (!h.clones) return `${h.label} (${h.uri}): connecting…`;
    const all = h.clones.filter((c) => !c.staging).length;
    return `${h.label} (${h.uri}): ${runningCount(h.clones)} of ${all} clone${all === 1 ? '' : 's'} running`;
  };
  const down = hosts.some((h) => h.unavailable);
  return {
    text: `$(${down ? 'vm-outline' : 'vm-running'}) ${hosts.map((h) => `${h.label}: ${short(h)}`).join(' · ')}`,
    tooltip: `qq2clone:\n${hosts.map(line).join('\n')}\nClick to show the qq2clone view.`,
  };
}
