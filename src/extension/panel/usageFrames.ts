/**
 * What the usage panel's webview is sent: one frame per usage snapshot (host and each running clone, plain
 * numbers), and what it sends back. Pure (no vscode, no DOM): the extension and the webview script both import it.
 */
import type { UsageSnapshot } from '../../libvirt/stats';

/** One clone in one frame. */
export interface CloneFrame {
  readonly name: string;
  /** "3 name" as the tree labels it, and its template. */
  readonly label: string;
  readonly template: string;
  readonly cpu: number;
  readonly wait: number;
  readonly vcpus: number;
  readonly memMiB: number;
  readonly diskR: number;
  readonly diskW: number;
  readonly netRx: number;
  readonly netTx: number;
  readonly full: boolean;
  readonly oom: boolean;
}

export interface UsageFrame {
  /** Seconds since the epoch. */
  readonly at: number;
  readonly host: { readonly cpu: number; readonly memMiB: number; readonly memTotalMiB: number; readonly cpus: number };
  readonly clones: readonly CloneFrame[];
}

/** Extension -> webview: frames to add (reset: replace what it has). */
export interface FramesMessage {
  readonly type: 'frames';
  readonly reset: boolean;
  readonly frames: readonly UsageFrame[];
}

/** Webview -> extension: the user clicked a clone. */
export interface SelectMessage {
  readonly type: 'select';
  readonly name: string;
}

/** What the panel needs to know of a clone besides its figures. */
export interface CloneLabel {
  readonly label: string;
  readonly template: string;
}

/** A usage snapshot as a frame; clones without a label (not ours any more) are left out. */
export function usageFrame(snap: UsageSnapshot, labelOf: (name: string) => CloneLabel | undefined): UsageFrame {
  const clones: CloneFrame[] = [];
  for (const [name, u] of snap.domains) {
    const l = labelOf(name);
    if (!l) continue;
    clones.push({
      name,
      label: l.label,
      template: l.template,
      cpu: u.cpuPercent,
      wait: u.cpuWaitPercent,
      vcpus: u.vcpus,
      memMiB: u.memUsedKiB / 1024,
      diskR: u.diskReadBps,
      diskW: u.diskWriteBps,
      netRx: u.netRxBps,
      netTx: u.netTxBps,
      full: u.fullCpu,
      oom: u.outOfMemory,
    });
  }
  return {
    at: snap.at / 1000,
    host: { cpu: snap.host.cpuPercent, memMiB: snap.host.memUsedKiB / 1024, memTotalMiB: snap.host.memTotalKiB / 1024, cpus: snap.hostInfo.cpus },
    clones,
  };
}

/** How the panel can sort its clones; the figure each sorts by (highest first; name: alphabetical). */
export const SORT_KEYS = {
  cpu: (c: CloneFrame) => c.cpu + c.wait,
  memory: (c: CloneFrame) => c.memMiB,
  disk: (c: CloneFrame) => c.diskR + c.diskW,
  network: (c: CloneFrame) => c.netRx + c.netTx,
} as const;

export type SortKey = keyof typeof SORT_KEYS | 'name';

/** The clones of a frame in the chosen order. */
export function sortClones(clones: readonly CloneFrame[], key: SortKey): CloneFrame[] {
  if (key === 'name') return [...clones].sort((a, b) => a.template.localeCompare(b.template) || a.label.localeCompare(b.label, undefined, { numeric: true }));
  const f = SORT_KEYS[key];
  return [...clones].sort((a, b) => f(b) - f(a) || a.name.localeCompare(b.name));
}
