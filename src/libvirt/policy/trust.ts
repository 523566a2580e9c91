/**
 * What a power-off policy may touch. The clone's bookkeeping (its overlays, its storage) is read from the domain's
 * XML, which anyone allowed to define domains can write: it is never trusted alone. A policy acts only on files that
 * are (a) file disks of the domain as libvirt defines it, (b) in a folder of the trusted storage (recorded when the
 * hook was installed; the extension's own configuration for the extension), and (c) regular qcow2 overlays, no
 * link and no other hard link, whose backing file is an image of a known template (in a trusted template folder,
 * or one of the image generations in the trusted storage) with the backing format recorded both in the overlay and
 * for the template, the same. Anything else: nothing is done, and the reason is what the log says.
 */
import * as path from 'node:path';
import type { LibvirtService } from '../api';
import type { ImageStore } from '../storage';
import { isOurGeneration, storageDir } from '../storage';
import { templateImageFormats } from '../templates';
import type { CloneMeta, ParsedDomain } from '../domain';

export interface PolicyTrust {
  /** Folders the overlays may be in (their real locations are compared). */
  readonly storage: readonly string[];
  /** Folders of the templates whose images the overlays may be backed by. */
  readonly templateDirs: readonly string[];
  /** Why nothing is trusted (a missing or unsafe record). */
  readonly problem?: string;
}

export type TrustVerdict = { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly why: string };

/** What a service's own configuration trusts: its storage folder (a pool resolved) and its template folder. */
export async function serviceTrust(svc: LibvirtService, signal?: AbortSignal): Promise<PolicyTrust> {
  return { storage: [await storageDir(svc, signal)], templateDirs: [path.resolve(svc.config.templateDir)] };
}

/** The known template images with the format recorded for each (undefined: the template gives none). */
async function knownImages(trust: PolicyTrust): Promise<Map<string, string | undefined>> {
  const known = new Map<string, string | undefined>();
  for (const dir of trust.templateDirs) for (const [image, format] of await templateImageFormats(dir)) known.set(image, format);
  return known;
}

/**
 * Checks a clone's overlays before a policy touches them; the files to act on (those present), or why nothing may
 * be done. `d` is the domain as libvirt defines it now.
 */
export async function verifyOverlays(images: ImageStore, trust: PolicyTrust, d: ParsedDomain, meta: CloneMeta): Promise<TrustVerdict> {
  const no = (why: string): TrustVerdict => ({ ok: false, why: `${why}: nothing done.` });
  if (trust.problem) return no(trust.problem);
  if (!trust.storage.length) return no('No trusted storage folder is recorded');
  const disks = new Set(d.disks.filter((k) => k.type === 'file' && k.source).map((k) => k.source!));
  const known = await knownImages(trust);
  const files: string[] = [];
  for (const file of new Set(meta.overlays)) {
    if (!path.isAbsolute(file) || path.normalize(file) !== file) return no(`${file} is not a plain absolute path`);
    if (!disks.has(file)) return no(`${file} is not a disk of the domain`);
    if (known.has(file)) return no(`${file} is a template's image`);
    const facts = await images.inspectOverlay(file, { within: trust.storage }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    if (facts instanceof Error) return no(`${file}: ${facts.message.replace(/: not touched\.$/, '')}`);
    if (!facts) continue;
    if (!facts.isFile) return no(`${file} is not a regular file (a link, a folder or a device)`);
    if (facts.links !== 1) return no(`${file} has other hard links`);
    if (!facts.qcow2) return no(`${file} is not a qcow2 overlay`);
    if (!facts.backing) return no(`${file} has no backing file`);
    const generation = trust.storage.some((s) => isOurGeneration(s, facts.backing!));
    if (!known.has(facts.backing) && !generation) {
      return no(`${file} is backed by ${facts.backing}, which is not an image of a template in ${trust.templateDirs.join(', ') || '(none)'}`);
    }
    const expected = generation && !known.has(facts.backing) ? 'qcow2' : known.get(facts.backing);
    if (!facts.backingFormat) return no(`${file} does not record its backing file's format`);
    if (!expected) return no(`The template of ${facts.backing} gives no format for it`);
    if (facts.backingFormat !== expected) return no(`${file} records its backing file as ${facts.backingFormat}, its template as ${expected}`);
    files.push(file);
  }
  return { ok: true, files };
}
