/**
 * What a clone changed relative to its template, from two walked trees: metadata first (type, mode, size, mtime,
 * link target), content only where the metadata cannot tell (same type, mode and size, other mtime). Pure: the
 * walks and the content comparison are done by the caller.
 */

/** One entry of a walked tree: its path from the filesystem's root ("/etc/hostname"). */
export interface TreeEntry {
  readonly path: string;
  /** st_mode: type bits and permissions. */
  readonly mode: number;
  readonly size: number;
  /** Modification time, ms. */
  readonly mtime: number;
  /** For a symbolic link, what it points to. */
  readonly target?: string | null;
}

export type ChangeKind = 'added' | 'deleted' | 'changed';

export interface Change {
  readonly path: string;
  readonly kind: ChangeKind;
  /** For changed entries: what differs (type, mode, content, target). */
  readonly what?: readonly string[];
  /** The entry is a directory (on the side that has it; the clone's side for changed ones). */
  readonly dir: boolean;
}

export interface MetadataDiff {
  /** Differences known from the metadata alone. */
  readonly changes: Change[];
  /** Files whose content must be compared: same type, mode and size, other modification time. */
  readonly candidates: string[];
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

export const isDir = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR;
export const isFile = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;
export const isLink = (mode: number): boolean => (mode & S_IFMT) === S_IFLNK;

/** Compares the template's tree (`base`) with the clone's (`clone`) by metadata. */
export function diffMetadata(base: Iterable<TreeEntry>, clone: Iterable<TreeEntry>): MetadataDiff {
  const b = new Map<string, TreeEntry>();
  for (const e of base) b.set(e.path, e);
  const changes: Change[] = [];
  const candidates: string[] = [];
  const seen = new Set<string>();
  for (const c of clone) {
    seen.add(c.path);
    const t = b.get(c.path);
    if (!t) {
      changes.push({ path: c.path, kind: 'added', dir: isDir(c.mode) });
      continue;
    }
    const what: string[] = [];
    if ((t.mode & S_IFMT) !== (c.mode & S_IFMT)) what.push('type');
    else {
      if ((t.mode & 0o7777) !== (c.mode & 0o7777)) what.push('mode');
      if (isLink(c.mode) && (t.target ?? '') !== (c.target ?? '')) what.push('target');
      if (isFile(c.mode)) {
        if (t.size !== c.size) what.push('content');
        else if (t.mtime !== c.mtime) candidates.push(c.path);
      }
    }
    if (what.length) changes.push({ path: c.path, kind: 'changed', what, dir: isDir(c.mode) });
  }
  for (const t of b.values()) if (!seen.has(t.path)) changes.push({ path: t.path, kind: 'deleted', dir: isDir(t.mode) });
  return { changes: sortChanges(changes), candidates: candidates.sort() };
}

/**
 * The final list: the metadata differences plus the candidates whose content differed (`equal[i]` false means
 * candidates[i] differs). A file whose mode changed and whose content differs lists both.
 */
export function withContent(diff: MetadataDiff, equal: readonly boolean[]): Change[] {
  const byPath = new Map(diff.changes.map((c) => [c.path, c]));
  diff.candidates.forEach((p, i) => {
    if (equal[i] !== false) return;
    const prev = byPath.get(p);
    byPath.set(p, { path: p, kind: 'changed', what: [...(prev?.what ?? []), 'content'], dir: false });
  });
  return sortChanges([...byPath.values()]);
}

function sortChanges(c: Change[]): Change[] {
  return c.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** The CLI's line for a change: `+ path`, `- path`, `M path`. */
export function changeLine(c: Change): string {
  return `${c.kind === 'added' ? '+' : c.kind === 'deleted' ? '-' : 'M'} ${c.path}`;
}
