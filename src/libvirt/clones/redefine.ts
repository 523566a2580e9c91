/**
 * Redefining a clone under another name or UUID. libvirt cannot define a known UUID under a new name, nor a known
 * name under a new UUID: a rename goes through `virsh domrename` (inactive domains only), a new UUID is a new
 * definition that replaces the old one. Our <metadata> travels with the XML, so the clone keeps its template and
 * number. Every step that can fail comes before the one that removes something, and each failure undoes what was
 * done, so a refusal or failure leaves the old domain as it was. The storage (the clone's overlays) is never touched.
 * It runs under the service's per-clone lock, so an rm (or any SET operation) of the same clone never interleaves
 * with it; a clone removed before the redefinition is not defined again from the edited XML (it fails and says so).
 */
import { LibvirtError, Qq2Error, UsageError } from '../../core/errors';
import type { LibvirtService } from '../api';
import { forgetDomain, tryVirshVia, virshVia } from '../serviceCore';
import { applyEdits, metaEdit, parseDomain } from '../domain';
import { parseLines } from '../virsh';

/** The domain as libvirt knows it now. */
export interface DefinedDomain {
  readonly uuid: string;
  readonly name: string;
}

/** What a redefinition did. */
export interface Redefined {
  readonly uuid: string;
  readonly name: string;
  readonly renamed: boolean;
  readonly newUuid: boolean;
}

/** State and managed-save flag; a LibvirtError that says so when the domain no longer exists. */
async function stateOf(svc: LibvirtService, old: DefinedDomain, signal?: AbortSignal): Promise<{ state: string; managedSave: boolean }> {
  const info = await virshVia(svc, ['dominfo', old.uuid], signal).catch((e: unknown) => {
    if (!/not found|failed to get domain/i.test(message(e))) throw e;
    throw new LibvirtError(`Not saved: ${old.name} no longer exists (it was removed meanwhile); nothing was defined.`, e instanceof Qq2Error ? e.failure : undefined);
  });
  const field = (k: string): string => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
  return { state: field('State'), managedSave: field('Managed save') === 'yes' };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Defines `xml` for the clone `old`, following a change of its name or UUID (plain define when neither changed).
 * Refuses (UsageError) while the clone is not shut off, and for a new UUID while it has a managed save image.
 * On failure the old definition is back in place and a LibvirtError says what happened.
 */
export async function redefineClone(
  svc: LibvirtService,
  old: DefinedDomain,
  xml: string,
  signal?: AbortSignal,
  /** Runs first under the lock (e.g. "is the domain still what the edit started from?"); throws to refuse. */
  check?: () => Promise<void>,
): Promise<Redefined> {
  const d = parseDomain(xml);
  return svc.withCloneLock(
    old.uuid,
    async () => {
      await check?.();
      return redefineLocked(svc, old, d.name ?? old.name, d.uuid?.toLowerCase() ?? old.uuid.toLowerCase(), xml, signal);
    },
    signal,
  );
}

async function redefineLocked(svc: LibvirtService, old: DefinedDomain, name: string, uuid: string, xml: string, signal?: AbortSignal): Promise<Redefined> {
  const renamed = name !== old.name;
  const newUuid = uuid !== old.uuid.toLowerCase();
  // Also for a plain define: defining the XML of a domain that is gone would bring it back without its disks.
  const { state, managedSave } = await stateOf(svc, old, signal);
  if (!renamed && !newUuid) {
    return { uuid: await svc.defineXml(xml, signal), name, renamed, newUuid };
  }
  const what = newUuid ? 'change its UUID' : 'rename it';
  if (state !== 'shut off') {
    throw new UsageError(`${old.name} is ${state}: shut it off first, then save again to ${what}.`);
  }
  if (newUuid && managedSave) {
    throw new UsageError(
      `${old.name} has a saved state that belongs to its current UUID: start it (or remove the saved state) and shut it off, then save again to change its UUID.`,
    );
  }
  if (!newUuid) return { uuid: await renameThenDefine(svc, old, name, xml, signal), name, renamed, newUuid };
  await refuseWithSnapshots(svc, old, signal);
  return { uuid: await replaceDefinition(svc, old, name, xml, signal), name, renamed, newUuid };
}

/**
 * A new UUID is a new domain: libvirt keeps snapshot metadata under the domain (by UUID) and refuses to undefine one
 * that has snapshots, so a clone with snapshots is refused before anything is defined. (A new name keeps them:
 * domrename moves their metadata.)
 */
async function refuseWithSnapshots(svc: LibvirtService, old: DefinedDomain, signal?: AbortSignal): Promise<void> {
  const names = parseLines(await virshVia(svc, ['snapshot-list', '--domain', old.uuid, '--name'], signal));
  if (!names.length) return;
  throw new UsageError(
    `${old.name} has ${names.length} snapshot${names.length === 1 ? '' : 's'} (${names.join(', ')}), which libvirt keeps under its UUID: ` +
      'a new UUID would make a new domain without them. Save the edit with the UUID it has, or delete the snapshots first.',
  );
}

/** Same UUID, new name: domrename, then define; a failed define renames back. */
async function renameThenDefine(svc: LibvirtService, old: DefinedDomain, name: string, xml: string, signal?: AbortSignal): Promise<string> {
  await virshVia(svc, ['domrename', '--', old.uuid, name], signal);
  forgetDomain(svc, old.uuid);
  try {
    return await svc.defineXml(xml, signal);
  } catch (e) {
    const back = await tryVirshVia(svc, ['domrename', '--', old.uuid, old.name]);
    throw new LibvirtError(
      back === undefined
        ? `Renamed ${old.name} to ${name}, but defining the new XML failed (${message(e)}) and renaming it back failed too: it is now called ${name}.`
        : `Not saved: defining the new XML failed (${message(e)}); ${old.name} keeps its name and definition.`,
    );
  }
}

/**
 * New UUID: define the new domain first (the old one moved aside under a temporary name when the name stays), then
 * undefine the old definition only (no storage, nvram kept: the new definition uses the same files).
 */
async function replaceDefinition(svc: LibvirtService, old: DefinedDomain, name: string, xml: string, signal?: AbortSignal): Promise<string> {
  const aside = name === old.name ? `${old.name}-replaced-${Date.now().toString(36)}` : undefined;
  const restoreName = async (): Promise<boolean> => !aside || (await tryVirshVia(svc, ['domrename', '--', old.uuid, old.name])) !== undefined;
  if (aside) await virshVia(svc, ['domrename', '--', old.uuid, aside], signal);
  let id: string;
  try {
    id = await svc.defineXml(xml, signal);
  } catch (e) {
    const back = await restoreName();
    throw new LibvirtError(
      `Not saved: defining the new XML failed (${message(e)}); ${back ? `${old.name} is unchanged` : `the old definition is now called ${aside}`}.`,
    );
  }
  try {
    await virshVia(svc, ['undefine', old.uuid, '--keep-nvram', '--keep-tpm'], signal);
  } catch (e) {
    const removed = (await tryVirshVia(svc, ['undefine', id, '--keep-nvram', '--keep-tpm'])) !== undefined;
    const back = removed && (await restoreName());
    throw new LibvirtError(
      removed && back
        ? `Not saved: removing the old definition failed (${message(e)}); the new one was removed again, ${old.name} is unchanged.`
        : `Removing the old definition of ${old.name} failed (${message(e)}) and undoing the new one failed too: both are defined now (old UUID ${old.uuid}, new ${id}); undefine one with virsh.`,
    );
  }
  forgetDomain(svc, old.uuid);
  return id;
}

/** What saving an edited clone did: the redefinition, and the XML defined (our metadata put back if it was dropped). */
export interface SavedEdit extends Redefined {
  readonly xml: string;
  readonly metadataRestored: boolean;
}

/**
 * Saves an edited definition of a clone: the one rule of the CLI's edit and the extension's documents. Our
 * bookkeeping element is put back when the edit dropped it (it is what makes the domain clone N of T); a new name
 * or UUID is followed (redefineClone); and it is defined under the clone's lock only while the clone's definition is
 * still `base`, the one the edit started from (else `conflict(now)`, or a UsageError, refuses and nothing changes).
 */
export async function saveEditedClone(
  svc: LibvirtService,
  old: DefinedDomain,
  edited: string,
  o: { base: string; signal?: AbortSignal; conflict?: (now: string) => Error; current?: () => Promise<string> },
): Promise<SavedEdit> {
  const meta = parseDomain(o.base).meta;
  const d = parseDomain(edited);
  const xml = d.meta || !meta ? edited : applyEdits(edited, [metaEdit(d, meta)]);
  const current = o.current ?? (() => svc.domainXml(old.uuid, { inactive: true, ...(o.signal ? { signal: o.signal } : {}) }));
  const r = await redefineClone(svc, old, xml, o.signal, async () => {
    const now = await current();
    if (now !== o.base) throw o.conflict?.(now) ?? new UsageError(`${old.name} was changed by something else since the edit began: not defined.`);
  });
  return { ...r, xml, metadataRestored: xml !== edited };
}
