/**
 * Calls to libvirt's tools that take longer than a few seconds are reported with their duration, so a user of a
 * slow connection sees which call was slow and by how much (the extension logs them to its output, the CLI to
 * stderr). The process runner and the virsh sessions time every call; listeners hear only the slow ones.
 */

/** A call counts as slow from this duration on. */
export const SLOW_CALL_MS = 3000;

/** One slow call: what ran (program and its first arguments) and how long it took. */
export interface SlowCall {
  readonly program: string;
  readonly args: readonly string[];
  readonly ms: number;
}

type Listener = (call: SlowCall) => void;
const listeners = new Map<Listener, number>();

/** Hears every call from `thresholdMs` on (default SLOW_CALL_MS) from now on; returns the function that stops it. */
export function onSlowCall(listener: Listener, thresholdMs = SLOW_CALL_MS): () => void {
  listeners.set(listener, thresholdMs);
  return () => listeners.delete(listener);
}

/** virsh commands whose time is the guest data they move (memory, volumes, block jobs): slow by nature. */
const MOVES_DATA = new Set(['save', 'managedsave', 'restore', 'dump', 'vol-wipe', 'vol-upload', 'vol-download', 'vol-clone', 'blockcommit', 'blockpull', 'blockcopy']);

/** The virsh command among virsh's arguments (after -q, -c URI and the like). */
export function virshSubcommand(args: readonly string[]): { name: string; rest: readonly string[] } | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '--connect') i++;
    else if (!a.startsWith('-')) return { name: a, rest: args.slice(i + 1) };
  }
  return undefined;
}

/**
 * Told the duration of every call; passes on the slow libvirt calls (virsh), except those that move guest data.
 * Other tools (qemu-img converting an image, shred) take the time their work takes.
 */
export function noteCallDuration(program: string, args: readonly string[], ms: number): void {
  if (program !== 'virsh') return;
  const sub = virshSubcommand(args);
  if (!sub || MOVES_DATA.has(sub.name)) return;
  for (const [l, threshold] of listeners) if (ms >= threshold) l({ program, args: [sub.name, ...sub.rest], ms });
}

/** "virsh define /tmp/x.xml took 59.1 s": the call in one line, arguments past the third left out. */
export function describeSlowCall(c: SlowCall): string {
  const shown = c.args.slice(0, 3).join(' ');
  return `${c.program} ${shown}${c.args.length > 3 ? ' ...' : ''} took ${(c.ms / 1000).toFixed(1)} s`;
}
