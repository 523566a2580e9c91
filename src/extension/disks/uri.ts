/**
 * The disk URIs: qq2clone-disk:/<template>/<number>/<guest path> for a clone, qq2clone-disk:/<template>/template/...
 * for a template's own image; the query `base` reads the template image a clone is compared with. Pure (no vscode).
 */
import type { DiskTarget } from '../../libvirt/disks';

export const DISK_SCHEME = 'qq2clone-disk';

export interface DiskLocation {
  readonly target: DiskTarget;
  /** The guest path, "/" for the root. */
  readonly path: string;
  /** The template's side of a comparison. */
  readonly base: boolean;
}

/** Reads a disk URI's path and query; undefined when it does not name a template and a clone. */
export function parseDiskPath(uriPath: string, query = ''): DiskLocation | undefined {
  const m = /^\/([^/]+)\/([^/]+)(\/.*)?$/.exec(uriPath);
  if (!m) return undefined;
  const clone = m[2] === 'template' ? 'template' : /^\d+$/.test(m[2]!) ? Number(m[2]) : undefined;
  if (clone === undefined) return undefined;
  const rest = (m[3] ?? '/').replace(/\/+$/, '') || '/';
  return { target: { template: m[1]!, clone }, path: rest, base: query.split('&').includes('base') };
}

/** The URI path of a guest path of a target. */
export function diskPath(t: DiskTarget, guestPath = '/'): string {
  return `/${t.template}/${t.clone}${guestPath === '/' ? '/' : guestPath}`;
}
