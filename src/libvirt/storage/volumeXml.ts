/**
 * What virsh says about storage volumes (pure): `vol-dumpxml`, `vol-list --details` and `pool-info --bytes`, read
 * by the pool store (poolStore.ts).
 */
import { attr, child, scanXml, textOf, type XmlElement } from '../../core/xmlScan';

/** One volume as `vol-dumpxml` describes it. */
export interface VolumeFacts {
  readonly type: string;
  readonly path: string;
  readonly format: string | undefined;
  readonly capacity: number;
  readonly allocation: number;
  readonly mode: number | undefined;
  readonly mtimeMs: number;
  /** Birth time, else the inode change time. */
  readonly createdMs: number;
  readonly backing?: { readonly path: string; readonly format: string | undefined };
}

function seconds(xml: string, el: XmlElement | undefined, name: string): number {
  return Number(textOf(xml, child(el, name)) ?? '0') * 1000 || 0;
}

/** Reads `vol-dumpxml`; throws when the text is not a volume. */
export function parseVolumeXml(xml: string): VolumeFacts {
  const root = scanXml(xml);
  if (root.name !== 'volume') throw new Error('not a storage volume description');
  const target = child(root, 'target');
  const stamps = child(target, 'timestamps');
  const backing = child(root, 'backingStore');
  const backingPath = textOf(xml, child(backing, 'path'));
  const mode = textOf(xml, child(child(target, 'permissions'), 'mode'));
  const btime = seconds(xml, stamps, 'btime');
  return {
    type: attr(root, 'type')?.value ?? '',
    path: textOf(xml, child(target, 'path')) ?? '',
    format: attr(child(target, 'format'), 'type')?.value,
    capacity: Number(textOf(xml, child(root, 'capacity')) ?? '0'),
    allocation: Number(textOf(xml, child(root, 'allocation')) ?? '0'),
    mode: mode ? parseInt(mode, 8) : undefined,
    mtimeMs: seconds(xml, stamps, 'mtime'),
    createdMs: btime || seconds(xml, stamps, 'ctime'),
    ...(backingPath ? { backing: { path: backingPath, format: attr(child(backing, 'format'), 'type')?.value } } : {}),
  };
}

/** The volumes of `vol-list POOL --details`: their paths and types (sizes are read from vol-dumpxml). */
export function parseVolList(out: string): { readonly name: string; readonly path: string; readonly type: string }[] {
  const rows: { name: string; path: string; type: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\S.*?)\s{2,}(\/.*?)\s{2,}([a-z-]+)\s{2,}/.exec(line);
    if (m) rows.push({ name: m[1]!, path: m[2]!, type: m[3]! });
  }
  return rows;
}

/** The bytes available in a pool, from `pool-info --bytes`. */
export function poolAvailable(out: string): number {
  const m = /^Available:\s+(\d+)/m.exec(out);
  if (!m) throw new Error(`pool-info gave no available space: ${out.trim()}`);
  return Number(m[1]);
}

/** True when a virsh error says the volume (or its path) does not exist. */
export function volumeMissing(message: string): boolean {
  return /Storage volume not found|no storage vol with matching/i.test(message);
}
