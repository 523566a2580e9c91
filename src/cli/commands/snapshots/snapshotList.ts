import type { SnapshotInfo } from '../../../libvirt/api';

/** A snapshot's time as the list shows it: UTC, to the second. */
function when(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * The rows of `snapshot N list`, newest first: "*" for the current one, name, time, the state it was taken in
 * ("+memory" when its memory was kept) and the description; aligned columns.
 */
export function snapshotRows(list: readonly SnapshotInfo[]): string {
  const rows = list.map((s) => [s.current ? '*' : ' ', s.name, when(s.created), `${s.state}${s.withMemory ? '+memory' : ''}`, s.description.replace(/\s+/g, ' ')]);
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length));
  return rows.map((r) => `${r[0]} ${r[1]!.padEnd(width(1))}  ${r[2]}  ${r[3]!.padEnd(width(3))}  ${r[4]}`.trimEnd() + '\n').join('');
}
