/**
 * The log of what power-off policies did: one JSON object per line, appended (by the hook's worker in its state
 * directory, by the extension in the user's qq2clone home), read by the tree and `hook status`/`policy` output.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export interface PolicyLogEntry {
  /** ISO time. */
  readonly time: string;
  readonly uuid: string;
  readonly name: string;
  readonly template: string;
  readonly id: number;
  /** The shutoff reason the decision was made on ("unknown" when libvirt did not say). */
  readonly reason: string;
  /** The policy, as describePolicy prints it. */
  readonly policy: string;
  /**
   * reset, removed, reverted (to the snapshot `detail` names), kept (the policy did not apply: `detail` says why),
   * refused (it applied, but a file it would touch could not be verified: nothing done, `detail` says why) or failed
   * (`detail` has the error).
   */
  readonly action: 'reset' | 'removed' | 'reverted' | 'kept' | 'refused' | 'failed';
  readonly detail?: string;
  /** Who acted: the hook's worker, or the extension from lifecycle events. */
  readonly by: 'hook' | 'extension';
}

/** Appends one entry (the directory is made when missing; the file is readable by everyone, as it holds no secret). */
export async function appendPolicyLog(file: string, e: PolicyLogEntry): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.appendFile(file, `${JSON.stringify(e)}\n`, { mode: 0o644 });
}

/** Parses a log's text; lines that are not entries are skipped. */
export function parsePolicyLog(text: string): PolicyLogEntry[] {
  const out: PolicyLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Partial<PolicyLogEntry>;
      if (typeof e.time === 'string' && typeof e.uuid === 'string' && typeof e.action === 'string') out.push(e as PolicyLogEntry);
    } catch {
      // A line cut short by a crash or a full disk: the rest of the log still counts.
    }
  }
  return out;
}

/** The entries of several logs (missing ones are empty), oldest first; only the last `tail` bytes of each are read. */
export async function readPolicyLogs(files: readonly string[], tail = 256 * 1024): Promise<PolicyLogEntry[]> {
  const all: PolicyLogEntry[] = [];
  for (const f of new Set(files)) {
    const h = await fs.open(f, 'r').catch(() => undefined);
    if (!h) continue;
    try {
      const { size } = await h.stat();
      const start = Math.max(0, size - tail);
      const buf = Buffer.alloc(size - start);
      await h.read(buf, 0, buf.length, start);
      let text = buf.toString('utf8');
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
      all.push(...parsePolicyLog(text));
    } finally {
      await h.close();
    }
  }
  return all.sort((a, b) => a.time.localeCompare(b.time));
}

/** The latest entry per clone UUID. */
export function latestByClone(entries: readonly PolicyLogEntry[]): Map<string, PolicyLogEntry> {
  const m = new Map<string, PolicyLogEntry>();
  for (const e of entries) m.set(e.uuid, e);
  return m;
}
