/**
 * The process of a virsh session (`virsh -q -c URI`, reading command lines on stdin), and its early start: the CLI's
 * bin starts the sessions a command will use before the command's code is loaded (prestartSessions), and each
 * session takes one of those (takePrestarted) instead of spawning its own. Both builds of the CLI (bin and main)
 * hold a copy of this module; they share the started processes through one global registry. One not taken holds
 * nothing open: it ends when the CLI exits (its stdin closes).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { sessionInputrc } from './inputrc';
import { transportUri } from '../../core/connectionUri';

/** Starts the process of one session. */
export function spawnSessionProcess(uri: string): ChildProcessWithoutNullStreams {
  return spawn('virsh', ['-q', '-c', transportUri(uri)], {
    stdio: 'pipe',
    // TERM fixed: without it (cron, systemd, libvirt's hooks, a desktop launcher) or with TERM=dumb, readline
    // scrolls echoed lines longer than 80 columns horizontally, so a command's echo is not found and its reply
    // keeps the echo (measured: list failed with "Tag 'omain/metadata' is an invalid name"). COLUMNS wide: with
    // stdin a pipe, readline takes the screen width from it (else 80 from terminfo) and wraps the echo of a longer
    // line with carriage returns, so that echo was not found either and the reply kept it (measured: every line of
    // 80 characters or more, such as an agent command's JSON).
    // INPUTRC: our own line editor settings, never the user's key bindings (see inputrc.ts).
    env: { ...process.env, LC_ALL: 'C', TERM: 'xterm', COLUMNS: '1000000', INPUTRC: sessionInputrc() },
  });
}

interface Prestarted {
  readonly uri: string;
  readonly p: ChildProcessWithoutNullStreams;
  /** It failed to start or ended before a session took it: never handed out. */
  ended: boolean;
}

const REGISTRY = Symbol.for('qq2clone.prestartedVirshSessions');

function registry(): Prestarted[] {
  const g = globalThis as { [REGISTRY]?: Prestarted[] };
  return (g[REGISTRY] ??= []);
}

/** The process and its pipes do not keep Node running (an unused one must not hold the CLI open), or again do. */
function holdOpen(p: ChildProcessWithoutNullStreams, hold: boolean): void {
  for (const h of [p, p.stdin, p.stdout, p.stderr] as { ref?: () => void; unref?: () => void }[]) (hold ? h.ref : h.unref)?.call(h);
}

/** Starts `count` session processes for `uri` now, for the sessions made later in this process to take. */
export function prestartSessions(uri: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const p = spawnSessionProcess(uri);
    const entry: Prestarted = { uri: transportUri(uri), p, ended: false };
    // Until a session takes it: a failure to start (virsh missing) or an early end is noted, and the next session
    // spawns its own process, which reports it.
    const end = (): void => {
      entry.ended = true;
    };
    p.on('error', end);
    p.on('close', end);
    p.stdin.on('error', () => undefined);
    holdOpen(p, false);
    registry().push(entry);
  }
}

/** A started process for a session to `uri`, running, with nothing read from it yet; undefined when none. */
export function takePrestarted(uri: string): ChildProcessWithoutNullStreams | undefined {
  const list = registry();
  const key = transportUri(uri);
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (e.uri !== key || e.ended || e.p.exitCode !== null || e.p.signalCode !== null) continue;
    list.splice(i, 1);
    holdOpen(e.p, true);
    return e.p;
  }
  return undefined;
}
