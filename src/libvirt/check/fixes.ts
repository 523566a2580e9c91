/**
 * check's fixes. Each looks again at what it is about to change, when it runs (the report may be minutes old, and
 * clones may be in the making): a file is deleted only inside our storage, when it is not too new and nothing uses
 * it; a clone is removed through the product's rm; a number is given only while it is still duplicated.
 */
import * as path from 'node:path';
import { UsageError } from '../../core/errors';
import type { CloneInfo, LibvirtService } from '../api';
import type { Finding } from './findings';
import { cloneName } from '../clones';
import { makeReadOnly } from '../storage';
import { forgetDomain, virshVia } from '../serviceCore';
import { applyEdits, metaEdit, parseDomain } from '../domain';
import { isInside } from '../storage';
import { imageStoreOf, storageDir } from '../storage';
import { readTemplateDir, setTemplateFileAside } from '../templates';
import { CONNECTIONS_FILE, inUse, scanUsage, tooYoung, whyUndecided } from '../storage';

/**
 * Applies a finding's fix; resolves to what was done, or throws a UsageError saying why it was not. It runs under
 * the locks of what it changes (held across processes): the template it concerns (no clone of it is being made,
 * renamed or staged meanwhile), then the clone, so it never interleaves with another operation on them.
 */
export async function applyFix(svc: LibvirtService, f: Finding, signal?: AbortSignal): Promise<string> {
  if (!f.fix) throw new UsageError(`No automatic fix for: ${f.message}`);
  const templates = f.kind === 'invalid-template' && f.file ? [path.basename(f.file, '.xml')] : f.template ? [f.template] : [];
  return svc.withTemplateLock(templates, () => fixLocked(svc, f, signal), signal);
}

async function fixLocked(svc: LibvirtService, f: Finding, signal?: AbortSignal): Promise<string> {
  switch (f.kind) {
    case 'orphan-overlay':
    case 'stray-file':
    case 'unused-generation':
      return deleteUnused(svc, f.file ?? '', signal);
    case 'image-writable':
      await makeReadOnly(f.file ?? '');
      return `Made ${f.file} read-only.`;
    case 'stale-saved-state':
      await svc.withCloneLock(f.uuid ?? '', () => virshVia(svc, ['managedsave-remove', f.uuid ?? ''], signal), signal);
      return `Discarded the saved state of ${f.uuid}.`;
    case 'missing-template':
    case 'backing-missing':
    case 'backing-changed':
      return removeClone(svc, f.uuid ?? '', signal);
    case 'duplicate-id':
      // Its template's lock is held (f.template): no number is being taken by a clone batch meanwhile.
      return svc.withCloneLock(f.uuid ?? '', () => renumber(svc, f.uuid ?? '', signal), signal);
    case 'invalid-template':
      return setAside(svc, f.file ?? '', signal);
    case 'snapshot-data-missing':
      return forgetSnapshot(svc, f, signal);
    default:
      throw new UsageError(`No automatic fix for: ${f.message}`);
  }
}

/** Deletes libvirt's record of a snapshot whose data is gone, after checking again (under the clone's lock) that it is. */
async function forgetSnapshot(svc: LibvirtService, f: Finding, signal?: AbortSignal): Promise<string> {
  const uuid = f.uuid ?? '';
  const name = f.snapshot ?? '';
  return svc.withCloneLock(
    uuid,
    async () => {
      const images = imageStoreOf(svc);
      const disks = await svc.cloneDisks(uuid, signal);
      const still = await Promise.all(disks.map((d) => images.snapshotNames(d, signal)));
      if (still.every((names) => names.includes(name))) throw new UsageError(`Snapshot ${name} is inside every disk of ${uuid} again: nothing to fix.`);
      await virshVia(svc, ['snapshot-delete', '--domain', uuid, '--snapshotname', name, '--metadata'], signal);
      return `Deleted libvirt's record of snapshot ${name} of ${uuid}.`;
    },
    signal,
  );
}

/** Deletes a file of our storage, after checking again that it is there, not new, and used by nothing. */
async function deleteUnused(svc: LibvirtService, name: string, signal?: AbortSignal): Promise<string> {
  const dir = await storageDir(svc, signal);
  const file = path.resolve(name);
  if (!isInside(file, dir)) throw new UsageError(`Refusing to delete ${file}: it is not in ${dir}.`);
  if (path.basename(file) === CONNECTIONS_FILE) throw new UsageError(`Refusing to delete ${file}: it lists the connections that made clones in ${dir}.`);
  const images = imageStoreOf(svc);
  const st = await images.stat(file);
  if (!st) return `${file} is already gone.`;
  if (!st.isFile) throw new UsageError(`Refusing to delete ${file}: it is not a regular file.`);
  if (tooYoung(file, st)) {
    throw new UsageError(`Not deleted: ${file} was written moments ago and may belong to a clone being made. Run check again later.`);
  }
  const usage = await scanUsage(svc, signal);
  const undecided = whyUndecided(usage);
  if (undecided) throw new UsageError(`Not deleted: ${file}: ${undecided}.`);
  if (inUse(usage, file)) throw new UsageError(`Not deleted: ${file} is in use now (a domain or a template uses it).`);
  await images.delete(file);
  return `Deleted ${file}.`;
}

async function findClone(svc: LibvirtService, uuid: string, signal?: AbortSignal): Promise<CloneInfo | undefined> {
  return (await svc.inventory(signal)).clones.find((c) => c.uuid === uuid);
}

/** rm of one clone: undefined, and the overlays its bookkeeping names deleted (inside its storage, never a template's image). */
async function removeClone(svc: LibvirtService, uuid: string, signal?: AbortSignal): Promise<string> {
  const c = await findClone(svc, uuid, signal);
  if (!c) return `Clone ${uuid} is already gone.`;
  const r = await svc.run('rm', [c], { ...(signal ? { signal } : {}) });
  const failed = r.failed[0];
  if (failed) throw failed.error;
  if (!r.done.length) return `${c.name} is already gone.`;
  return `Removed ${c.name} (clone ${c.id} of ${c.template}) and its overlays.`;
}

/** Gives a clone that shares its number the lowest free number of its template (its bookkeeping only). */
async function renumber(svc: LibvirtService, uuid: string, signal?: AbortSignal): Promise<string> {
  const inv = await svc.inventory(signal);
  const c = inv.clones.find((x) => x.uuid === uuid);
  if (!c) return `Clone ${uuid} is gone: nothing to renumber.`;
  const ids = new Set(inv.clones.filter((x) => x.template === c.template && x.uuid !== uuid).map((x) => x.id));
  if (!ids.has(c.id)) return `${c.name}'s number ${c.id} is unique already.`;
  const names = new Set([...inv.clones, ...inv.foreign].map((d) => d.name));
  let id = 1;
  while (ids.has(id) || (id !== c.id && names.has(cloneName(c.template, id)))) id++;
  const xml = await virshVia(svc, ['dumpxml', '--inactive', '--security-info', uuid], signal);
  const d = parseDomain(xml);
  if (!d.meta) throw new UsageError(`${c.name} has no qq2clone bookkeeping any more: nothing to renumber.`);
  await svc.defineXml(applyEdits(xml, [metaEdit(d, { ...d.meta, id })]), signal);
  forgetDomain(svc, uuid);
  return `${c.name} is now clone ${id} of ${c.template} (was ${c.id}).`;
}

/** Renames an invalid template file to <file>.invalid (or a free variant), if it is still invalid and has no clones. */
async function setAside(svc: LibvirtService, file: string, signal?: AbortSignal): Promise<string> {
  const dir = path.resolve(svc.config.templateDir);
  if (path.dirname(path.resolve(file)) !== dir || !file.endsWith('.xml')) {
    throw new UsageError(`Refusing to set ${file} aside: it is not a template file of ${dir}.`);
  }
  const name = path.basename(file, '.xml');
  const t = (await readTemplateDir(dir)).find((x) => x.name === name);
  if (!t) return `${file} is already gone.`;
  const clones = (await svc.inventory(signal)).clones.filter((c) => c.template === name).length;
  if (clones) throw new UsageError(`Not set aside: template ${name} has ${clones} clone(s) now. Correct it with modify-template ${name} edit.`);
  const target = await setTemplateFileAside(file);
  return `Set ${file} aside as ${target}: template ${name} is no longer listed.`;
}
