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
