/**
 * Live usage for the tree and the usage panel: while one of them is visible, one sample of all running clones
 * every few seconds (one `domstats` through the service's sessions, src/libvirt/stats/); nothing is read while
 * neither is. Keeps the last minutes of snapshots for the panel's charts. Pure of vscode: index.ts wires it.
 */
import type { Disposable } from '../../libvirt/api';
import { cpuText, memText, rateText, sumUsage, usageDescription, usageMarks, type DomainUsage, type UsageSnapshot } from '../../libvirt/stats';
import { realClock, type Clock } from './scheduler';

/** Reads one snapshot of these domains (the service's UsageSampler in the extension; a fake in unit tests). */
export type UsageRead = (names: readonly string[], signal: AbortSignal) => Promise<UsageSnapshot>;

export interface UsagePollerOptions {
  /** Between the end of one read and the start of the next (default 3 s). */
  readonly intervalMs?: number;
  /** How much history the panel can chart (default 10 minutes). */
  readonly keepMs?: number;
  readonly clock?: Clock;
}

export class UsagePoller implements Disposable {
  private readonly wanted = new Set<string>();
  private timer: unknown;
  private abort: AbortController | undefined;
  private reading = false;
  private readonly listeners = new Set<(s: UsageSnapshot | undefined) => void>();
  private intervalMs: number;
  private readonly keepMs: number;
  private readonly clock: Clock;
  /** Snapshots of the last keepMs, oldest first. */
  readonly history: UsageSnapshot[] = [];
  /** How many reads ran (tests). */
  reads = 0;

  constructor(
    private read: UsageRead,
    /** The running clones' names now (read from the tree's model at each tick). */
    private readonly running: () => readonly string[],
    private readonly log: (message: string) => void = () => undefined,
    options: UsagePollerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 3000;
    this.keepMs = options.keepMs ?? 10 * 60_000;
    this.clock = options.clock ?? realClock;
  }

  /** Seconds between reads (the setting qq2clone.usage.refreshSeconds); 0 turns reading off and forgets figures. */
  setInterval(seconds: number): void {
    const was = this.intervalMs;
    this.intervalMs = Math.max(0, seconds) * 1000;
    if (this.intervalMs === was) return;
    this.stop();
    if (this.intervalMs === 0) {
      this.history.length = 0;
      for (const l of this.listeners) l(undefined);
    } else void this.tick();
  }

  /** The last snapshot (undefined before the first read). */
  get latest(): UsageSnapshot | undefined {
    return this.history[this.history.length - 1];
  }

  /** A clone's figures for its description and tooltip (undefined: not running, or not read yet). */
  shownClone(name: string): { text: string; tooltip: string[] } | undefined {
    const u = this.latest?.domains.get(name);
    return u ? { text: usageDescription(u), tooltip: usageTooltip(u) } : undefined;
  }

  /** A template's row: its running clones summed (undefined when none of them is in the last snapshot). */
  shownTemplate(template: string, cloneNames: readonly string[]): { text: string; tooltip: string[] } | undefined {
    const parts = cloneNames.map((n) => this.latest?.domains.get(n)).filter((u) => u !== undefined);
    if (!parts.length) return undefined;
    const u = sumUsage(template, parts);
    return { text: usageDescription(u), tooltip: usageTooltip(u) };
  }

  /** Called after each read, and with undefined when the figures were dropped (reading turned off). */
  onSnapshot(listener: (s: UsageSnapshot | undefined) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** A viewer (`who`: the view, the panel) became visible or hidden; reads run while any is visible. */
  setVisible(who: string, visible: boolean): void {
    const before = this.wanted.size > 0;
    if (visible) this.wanted.add(who);
    else this.wanted.delete(who);
    if (!before && this.wanted.size > 0) void this.tick();
    if (this.wanted.size === 0) this.stop();
  }

  /** A new service (its own sessions): rates start again from its first sample. */
  follow(read: UsageRead): void {
    this.stop();
    this.read = read;
    this.history.length = 0;
    if (this.wanted.size > 0) void this.tick();
  }

  private stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    this.abort = undefined;
  }

  private async tick(): Promise<void> {
    if (this.reading || this.wanted.size === 0 || this.intervalMs === 0) return;
    this.timer = undefined;
    const names = this.running();
    this.reading = true;
    const abort = (this.abort = new AbortController());
    try {
      // With no clone running nothing is asked of libvirt.
      if (names.length > 0) {
        this.reads++;
        const snap = await this.read(names, abort.signal);
        if (!abort.signal.aborted) this.add(snap);
      }
    } catch (e) {
      if (!abort.signal.aborted) this.log(`Could not read the clones' usage: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.reading = false;
    }
    if (this.wanted.size > 0 && this.intervalMs > 0 && this.timer === undefined) this.timer = this.clock.setTimeout(() => void this.tick(), this.intervalMs);
  }

  private add(snap: UsageSnapshot): void {
    this.history.push(snap);
    while (this.history.length > 1 && snap.at - this.history[0]!.at > this.keepMs) this.history.shift();
    for (const l of this.listeners) l(snap);
  }

  dispose(): void {
    this.wanted.clear();
    this.stop();
    this.listeners.clear();
  }
}

/** Tooltip lines of a clone's (or a template's summed) usage. */
export function usageTooltip(u: DomainUsage): string[] {
  const marks = usageMarks(u);
  return [
    `- CPU: ${cpuText(u)} of ${u.vcpus} vCPU${u.vcpus === 1 ? '' : 's'}`,
    `- Memory: ${memText(u)}`,
    `- Disk: read ${rateText(u.diskReadBps)}, write ${rateText(u.diskWriteBps)}`,
    `- Network: receive ${rateText(u.netRxBps)}, send ${rateText(u.netTxBps)}`,
    ...(marks.length ? [`- **${marks.join(', ')}**`] : []),
  ];
}
