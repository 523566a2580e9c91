/**
 * Reading libvirt's snapshot documents (`virsh snapshot-dumpxml`): name, description, the state the domain was in,
 * when it was taken, its parent and where its memory and disks went. Pure (fixtures captured from real virsh).
 */
import { XmlError } from '../../core/errors';
import type { SnapshotInfo } from '../api';
import { attr, child, childrenNamed, scanWellFormedXml, textOf } from '../../core/xmlScan';

/** A `snapshot-dumpxml` document; `current` as the caller knows it. */
export function parseSnapshotXml(xml: string, current = false): SnapshotInfo {
  const root = scanWellFormedXml(xml);
  if (root.name !== 'domainsnapshot') throw new XmlError(`Not a libvirt snapshot: the root element is <${root.name}>.`);
  const text = (name: string) => textOf(xml, child(root, name));
  const name = text('name');
  if (!name) throw new XmlError('The snapshot document has no <name>.');
  const memory = attr(child(root, 'memory'), 'snapshot')?.value ?? 'no';
  const disks = childrenNamed(child(root, 'disks') ?? root, 'disk').map((d) => attr(d, 'snapshot')?.value ?? 'internal');
  const parentName = textOf(xml, child(child(root, 'parent'), 'name'));
  return {
    name,
    description: text('description') ?? '',
    state: text('state') ?? 'unknown',
    created: Number(text('creationTime') ?? 0),
    ...(parentName ? { parent: parentName } : {}),
    withMemory: memory !== 'no',
    internal: memory !== 'external' && disks.every((d) => d === 'internal' || d === 'no'),
    current,
  };
}

/**
 * Newest first, the order the CLI and the tree show: by creation time; within one second (libvirt counts seconds) a
 * snapshot taken on top of another (more ancestors in the list) is the newer; then by name.
 */
export function newestFirst(list: readonly SnapshotInfo[]): SnapshotInfo[] {
  const byName = new Map(list.map((s) => [s.name, s]));
  const depth = (s: SnapshotInfo): number => {
    let n = 0;
    const seen = new Set<string>();
    for (let p = s.parent; p !== undefined && byName.has(p) && !seen.has(p); p = byName.get(p)!.parent) {
      seen.add(p);
      n++;
    }
    return n;
  };
  return [...list].sort((a, b) => b.created - a.created || depth(b) - depth(a) || a.name.localeCompare(b.name));
}
