/**
 * Changing the template a clone's metadata names (rename), and the metadata element of the staging clone.
 * The element and namespace are the service's bookkeeping format.
 */
import type { CloneRef, LibvirtService } from './api';
import { virshOn } from './tools';

export const QQ2_NS = 'https://qq2clone.invalid/xmlns/clone/1';
export const QQ2_KEY = 'qq2clone';

/** The metadata element that marks a domain as clone `id` of `template` (id 0 + staging for the staging clone). */
export function cloneMetadataElement(template: string, id: number, staging = false): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<${QQ2_KEY}:clone xmlns:${QQ2_KEY}="${QQ2_NS}" template="${esc(template)}" id="${id}"${staging ? ' staging="1"' : ''}/>`;
}

/** Rewrites a clone's metadata so it names `template` (persistent definition only: the clone is off). */
export async function setCloneTemplate(
  svc: LibvirtService,
  clone: CloneRef & { staging?: boolean },
  template: string,
  signal?: AbortSignal,
): Promise<void> {
  const el = cloneMetadataElement(template, clone.id, clone.staging).replace(` xmlns:${QQ2_KEY}="${QQ2_NS}"`, '');
  await virshOn(
    svc.config.uri,
    ['metadata', clone.uuid, QQ2_NS, '--key', QQ2_KEY, '--set', el, '--config'],
    signal,
  );
}
