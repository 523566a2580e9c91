/**
 * What must hold before libvirt is asked to take, revert or delete a snapshot of a clone. libvirt runs as root and
 * writes an internal snapshot into any image, even one of mode 0444 (measured), so nothing is asked unless every
 * writable disk of the domain is one of the clone's own qcow2 overlays (per its bookkeeping), none a template's
 * image. Pure: the domain's XML (live while it runs), its bookkeeping and the templates' disks come in.
 */
import * as path from 'node:path';
import { attr, child } from '../../core/xmlScan';
import type { ParsedDomain } from '../domain';

/** What the guard is told about one clone. */
export interface SnapshotGuardFacts {
  /** The domain as it is now (live XML when it runs, so hot-plugged disks count). */
  readonly domain: ParsedDomain;
  /** Every template's disk image, resolved. */
  readonly templateDisks: ReadonlySet<string>;
  /** It has a managed save image. */
  readonly saved: boolean;
}

/** Whether the action needs the guest's saved state gone (taking and reverting do; deleting does not). */
export type SnapshotGuardUse = 'take' | 'revert' | 'delete';

function usesPflash(d: ParsedDomain): boolean {
  const os = child(d.root, 'os');
  return attr(child(os, 'loader'), 'type')?.value === 'pflash' || attr(os, 'firmware')?.value === 'efi';
}

/**
 * Why libvirt must not be asked for a snapshot action on this clone (a sentence that says what to do), or
 * undefined when it may.
 */
export function snapshotRefusal(f: SnapshotGuardFacts, use: SnapshotGuardUse): string | undefined {
  const d = f.domain;
  const meta = d.meta;
  if (!meta) return 'it is not a qq2clone clone (no bookkeeping in its metadata), so its disks are not known to be its own overlays.';
  if (meta.staging) return 'it is the staging clone of prepare-image: commit or discard the staging step instead.';
  if (use !== 'delete' && f.saved) {
    return 'it has a saved state (managed save): start it to resume that state, or remove the state with save-rm, then try again.';
  }
  if (use !== 'delete' && usesPflash(d)) {
    return 'it boots UEFI firmware from pflash, and libvirt cannot keep internal snapshots of such machines.';
  }
  const owned = new Set(meta.overlays.map((o) => path.resolve(o)));
  for (const k of d.disks) {
    if (k.shared || k.device === 'cdrom') continue;
    const which = `disk ${k.target ?? `#${k.index + 1}`}${k.source ? ` (${k.source})` : ''}`;
    if (k.type !== 'file' || !k.source) return `${which} is not an image file: only qcow2 overlays can keep internal snapshots.`;
    const file = path.resolve(k.source);
    if (f.templateDisks.has(file)) return `${which} is a template's image: a snapshot would be written into the template, so none is taken.`;
    if (!owned.has(file)) return `${which} is not one of the overlays qq2clone made for this clone, so no snapshot is written into it.`;
    if (k.format !== 'qcow2') return `${which} is ${k.format ?? 'of unknown format'}, not qcow2: only qcow2 images keep internal snapshots.`;
  }
  return undefined;
}
