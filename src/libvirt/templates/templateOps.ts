/**
 * The template commands of the manual (import-template, copy-template, modify-template rename, delete-template,
 * list-templates) on top of the service: templates are XML files in TEMPLATE_DIR, clones are domains whose metadata
 * names their template. Templates never run: nothing here defines or starts a template's own domain.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { TemplateError, UsageError, XmlError, asQq2Error } from '../../core/errors';
import { assertName } from '../../core/names';
import type { CloneInfo, LibvirtService, TemplateInfo } from '../api';
import { setCloneTemplate } from './retargetClones';
import { isActive } from '../../core/operations';
import { generationFilesOf, unusedGenerations } from './generations';
import { backingChain, isOurGeneration } from '../storage';
import { importSourceKind } from './importSource';
import { imageStoreOf, storageDir } from '../storage';
import { DomainDoc } from '../domain';
import { forgetDomain, virshVia } from '../serviceCore';

/** Checks a domain document; resolves to the problems found (empty when valid). */
export type DomainValidator = (xml: string) => Promise<readonly string[]>;

export interface TemplateDeps {
  readonly svc: LibvirtService;
  /** The XML validator (the schema validation of the XML documents); without it only well-formedness is checked. */
  readonly validate?: DomainValidator;
}

/** What a template command did, with the warnings the user must read. */
export interface TemplateResult {
  readonly name: string;
  readonly messages: readonly string[];
}

/** The template file of `name` (the name is checked first). */
export function templatePath(svc: LibvirtService, name: string): string {
  return path.join(svc.config.templateDir, `${assertName(name)}.xml`);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Throws TemplateError unless template `name` exists. */
export async function requireTemplate(svc: LibvirtService, name: string): Promise<string> {
  const file = templatePath(svc, name);
  if (!(await exists(file))) throw new TemplateError(`Template ${name} does not exist (no ${file}).`);
  return file;
}

/** Refuses a template name that is taken. */
export async function requireFree(svc: LibvirtService, name: string): Promise<void> {
  if (await exists(templatePath(svc, name))) throw new TemplateError(`Template ${name} already exists: choose another name.`);
}

/** The template XML as a document, after the validator found no problem in it. */
export async function checkedTemplate(deps: TemplateDeps, xml: string): Promise<DomainDoc> {
  const doc = new DomainDoc(xml);
  const problems = deps.validate ? await deps.validate(xml) : [];
  if (problems.length) throw new XmlError(`The domain XML is not valid:\n${problems.join('\n')}`);
  return doc;
}

/** The names of the templates, sorted. */
export async function listTemplates(svc: LibvirtService, signal?: AbortSignal): Promise<TemplateInfo[]> {
  const inv = await svc.inventory(signal);
  return [...inv.templates].sort((a, b) => a.name.localeCompare(b.name));
}

/** The clones (staging included) whose metadata names `template`. */
export async function clonesOf(svc: LibvirtService, template: string, signal?: AbortSignal): Promise<CloneInfo[]> {
  return (await svc.inventory(signal)).clones.filter((c) => c.template === template);
}

/**
 * import-template: from a libvirt domain that is not a clone of ours, or from a domain XML file (full path).
 * The name defaults to the XML's <name>. The XML is validated first; the template's disk images are made read-only.
 */
export async function importTemplate(
  deps: TemplateDeps,
  source: string,
  name?: string,
  signal?: AbortSignal,
): Promise<TemplateResult> {
  const { svc } = deps;
  const messages: string[] = [];
  let xml: string;
  if (importSourceKind(source) === 'path') {
    const st = await fs.stat(source).catch(() => undefined);
    if (!st) throw new UsageError(`${source} does not exist: give the full path of a domain XML file.`);
    if (!st.isFile()) throw new UsageError(`${source} is not a file.`);
    xml = await fs.readFile(source, 'utf8');
  } else {
    const inv = await svc.inventory(signal);
    const ours = inv.clones.find((c) => c.name === source || c.uuid === source);
    if (ours) throw new UsageError(`${source} is clone ${ours.id} of template ${ours.template}: clones cannot become templates.`);
    const foreign = inv.foreign.find((d) => d.name === source || d.uuid === source);
    if (!foreign) throw new UsageError(`There is no libvirt domain named ${source} (see virsh list --all).`);
    xml = await virshVia(svc, ['dumpxml', '--inactive', '--security-info', foreign.uuid], signal);
    if (isActive(foreign.state)) {
      messages.push(
        `Domain ${foreign.name} is ${foreign.state} with the template's disks open for writing: clones cannot start ` +
          `while it runs (QEMU holds a write lock on their backing image), and it must never run again with these ` +
          `disks while clones exist, because writing a backing image corrupts its clones. Shut it down first.`,
      );
    }
  }
  const doc = await checkedTemplate(deps, xml);
  const finalName = assertName(name ?? doc.name, 'template name (from the XML <name>)');
  await requireFree(svc, finalName);
  doc.name = finalName;
  const disks = doc.disks();
  const images = imageStoreOf(svc);
  for (const d of disks) {
    if (!d.source) throw new XmlError(`Disk ${d.target} has no source file: a template's disks must be files.`);
    // Exists and is an image qemu-img can read; on another host, a volume of one of its pools.
    if (!images.viaPools) await backingChain(d.source, signal);
    else if (!(await images.exists(d.source))) throw new UsageError(`Disk ${d.target}'s image ${d.source} is not a volume of a storage pool on ${svc.config.uri}: a template's images there must be pool volumes (virsh pool-refresh POOL after copying it in).`);
  }
  // The service makes the disks read-only before it writes the file (nothing is written when it cannot). Under the
  // name's lock, checked free again: two imports of one name do not overwrite each other.
  await svc.withTemplateLock(finalName, async () => {
    await requireFree(svc, finalName);
    await svc.writeTemplateXml(finalName, doc.toString());
  });
  if (disks.length && !images.viaPools) messages.push(`Made read-only on disk (chmod a-w): ${disks.map((d) => d.source).join(', ')}.`);
  if (disks.length && images.viaPools)
    messages.push(
      `libvirt's pool API cannot change a volume's mode: qq2clone never writes ${disks.map((d) => d.source).join(', ')}, ` +
        `but make it read-only on the host yourself (chmod a-w there) so that nothing else does.`,
    );
  if (importSourceKind(source) === 'domain') {
    messages.push(
      `Domain ${source} still exists and still uses these disks: do not run it while the template has clones ` +
        `(it can no longer open them writable); undefine it or give it a copy of its disks.`,
    );
  }
  return { name: finalName, messages };
}

/** copy-template: the same XML (same storage) under a new name, with a new identity. */
export async function copyTemplate(deps: TemplateDeps, from: string, to: string): Promise<TemplateResult> {
  assertName(from);
  assertName(to);
  return deps.svc.withTemplateLock([from, to], () => copyLocked(deps, from, to));
}

async function copyLocked(deps: TemplateDeps, from: string, to: string): Promise<TemplateResult> {
  await requireTemplate(deps.svc, from);
  await requireFree(deps.svc, to);
  const doc = await checkedTemplate(deps, await deps.svc.templateXml(from));
  doc.name = to;
  doc.forgetIdentity();
  await deps.svc.writeTemplateXml(to, doc.toString());
  return { name: to, messages: [`Template ${to} shares the disk images of ${from}.`] };
}

/** The clone's libvirt name after its template is renamed (the template name prefix is replaced). */
export function renamedCloneName(cloneName: string, from: string, to: string): string {
  return cloneName.startsWith(from) ? to + cloneName.slice(from.length) : cloneName;
}

/**
 * modify-template NAME rename NEW: renames the template and all its clones (its staging clone too), in libvirt
 * (domrename) and in their metadata. libvirt cannot rename a running domain, so all clones must be off first.
 * On a failure the clones already renamed are renamed back.
 * Overlay files keep their names, for clones and the staging clone alike: a domain finds its files through its
 * definition and bookkeeping, not their names, and a new clone or staging clone of a template that takes the old
 * name never reuses an existing file (clone numbers skip taken overlay names; staging overlays get a free name).
 */
export async function renameTemplate(
  deps: TemplateDeps,
  from: string,
  to: string,
  signal?: AbortSignal,
): Promise<TemplateResult> {
  const { svc } = deps;
  assertName(from);
  assertName(to);
  // Both names' locks, then the clones' locks: no clone of it is made, changed or started meanwhile (any process).
  return svc.withTemplateLock(
    [from, to],
    async () => {
      const listed = await clonesOf(svc, from, signal);
      return svc.withCloneLock(listed.map((c) => c.uuid), () => renameLocked(deps, from, to, signal), signal);
    },
    signal,
  );
}

async function renameLocked(deps: TemplateDeps, from: string, to: string, signal?: AbortSignal): Promise<TemplateResult> {
  const { svc } = deps;
  const oldFile = await requireTemplate(svc, from);
  await requireFree(svc, to);
  // Read again under the locks: what is decided here is what the clones are now.
  const clones = await clonesOf(svc, from, signal);
  const active = clones.filter((c) => isActive(c.state));
  const label = (cs: CloneInfo[]) => cs.map((c) => (c.staging ? 'staging' : c.id)).join(', ');
  if (active.length) {
    throw new UsageError(
      `libvirt cannot rename running domains: clone(s) ${label(active)} of ${from} are running, paused or otherwise active. ` +
        `Shut them down, then rename.`,
    );
  }
  const saved = clones.filter((c) => c.saved || c.state === 'saved');
  if (saved.length) {
    throw new UsageError(
      `libvirt cannot rename a domain with a saved state: clone(s) ${label(saved)} of ${from} are saved. ` +
        `Start them and shut them down, or drop their saved state (save-rm), then rename.`,
    );
  }
  const doc = new DomainDoc(await svc.templateXml(from));
  doc.name = to;
  await svc.writeTemplateXml(to, doc.toString());
  const done: { clone: CloneInfo; newName: string; renamed: boolean }[] = [];
  try {
    for (const clone of clones) {
      const newName = renamedCloneName(clone.name, from, to);
      await setCloneTemplate(svc, clone.uuid, to, signal);
      const step = { clone, newName, renamed: false };
      done.push(step);
      if (newName !== clone.name) await virshVia(svc, ['domrename', '--', clone.uuid, newName], signal);
      step.renamed = newName !== clone.name;
      forgetDomain(svc, clone.uuid);
    }
  } catch (e) {
    // Undo what was done; every part of the undo that fails is said, with where it left the clone.
    const undo: string[] = [];
    const why = (x: unknown) => asQq2Error(x).message;
    for (const { clone, newName, renamed } of done.reverse()) {
      if (renamed)
        await virshVia(svc, ['domrename', '--', clone.uuid, clone.name]).catch((x: unknown) =>
          undo.push(`clone ${clone.id} is still called ${newName} (renaming it back failed: ${why(x)})`),
        );
      await setCloneTemplate(svc, clone.uuid, from).catch((x: unknown) =>
        undo.push(`clone ${clone.id} (${clone.uuid}) still belongs to template ${to} (${why(x)})`),
      );
      forgetDomain(svc, clone.uuid);
    }
    const err = asQq2Error(e);
    if (!undo.length) {
      await fs.rm(templatePath(svc, to), { force: true });
      throw err;
    }
    // Clones that still say template `to` keep a template of that name (both files are kept).
    err.message = `${err.message}. Undoing the rename failed in part: ${undo.join('; ')}. Both ${from} and ${to} were kept; run qq2clone check, then rename again or fix those clones with virsh.`;
    throw err;
  }
  await fs.rm(oldFile);
  return { name: to, messages: clones.length ? [`Renamed ${clones.length} clone(s) of ${from}.`] : [] };
}

/**
 * delete-template: only when it has no clones (the staging clone counts). Generation images we made for it are
 * deleted when nothing else uses them; imported images are never deleted.
 */
export async function deleteTemplate(deps: TemplateDeps, name: string, signal?: AbortSignal): Promise<TemplateResult> {
  assertName(name);
  // Under its lock: no clone of it is being made while it is found to have none.
  return deps.svc.withTemplateLock(name, () => deleteLocked(deps, name, signal), signal);
}

async function deleteLocked(deps: TemplateDeps, name: string, signal?: AbortSignal): Promise<TemplateResult> {
  const { svc } = deps;
  const file = await requireTemplate(svc, name);
  const inv = await svc.inventory(signal);
  const clones = inv.clones.filter((c) => c.template === name);
  if (clones.length) {
    const staging = clones.some((c) => c.staging) ? ' (one is its staging image: discard-image it)' : '';
    throw new UsageError(
      `Template ${name} has ${clones.length} clone(s)${staging}: delete them first (qq2clone -t ${name} rm all).`,
    );
  }
  const disks = inv.templates.find((t) => t.name === name)?.disks ?? [];
  await fs.rm(file);
  const dir = await storageDir(svc, signal);
  const removed: string[] = [];
  const images = imageStoreOf(svc);
  const candidates = [...new Set([...disks, ...(await generationFilesOf(images, dir, name))])].filter((d) => isOurGeneration(dir, d));
  // The template is gone now: its clean-up runs to the end (not cancelled half-way).
  const { unused, undecided } = await unusedGenerations(svc, candidates);
  for (const image of unused) {
    await images.delete(image);
    removed.push(image);
  }
  const messages = removed.length ? [`Deleted unused image generation(s): ${removed.join(', ')}.`] : [];
  if (undecided) messages.push(`Its image generations were kept: ${undecided}. Run qq2clone check later.`);
  return { name, messages };
}
