/** Templates: domain XML files in the template directory, written atomically (temp file + rename). */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FileTypeError, PermissionError, TemplateError } from '../../core/errors';
import { assertName, nameProblem } from '../../core/names';
import type { TemplateInfo } from '../api';
import { makeReadOnlyAll } from '../storage';
import { clonableDisks, overlayDisks, parseDomain } from '../domain';
import { identityOf, templatePolicyOf } from '../domain';

/** The XML file of template `name` in `dir`; UsageError (12) when the name breaks the one rule (core/names.ts). */
export function templateFileIn(dir: string, name: string): string {
  return path.join(dir, `${assertName(name)}.xml`);
}

/**
 * All templates in `dir` (a missing directory means none); unreadable ones are listed with a problem. A directory
 * that exists but cannot be read throws (10 no permission, 18 not a directory): "no templates" would be untrue.
 */
export async function readTemplateDir(dir: string): Promise<TemplateInfo[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    const why = `The template directory ${dir} cannot be read`;
    if (code === 'ENOTDIR') throw new FileTypeError(`${why}: it is not a directory. Set the template directory to a directory.`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new PermissionError(`${why}: permission denied. Give your user read and search (x) permission on it, or set another template directory.`);
    throw new PermissionError(`${why}: ${(e as Error).message}`);
  }
  const out: TemplateInfo[] = [];
  for (const f of entries.sort()) {
    if (!f.endsWith('.xml') || f.startsWith('.')) continue;
    const name = f.slice(0, -4);
    const xmlPath = path.join(dir, f);
    const bad = nameProblem(name);
    if (bad) {
      out.push({ name, xmlPath, disks: [], problem: `Its name is not usable (${bad}) Rename the file to a usable name.` });
      continue;
    }
    try {
      const d = parseDomain(await fs.readFile(xmlPath, 'utf8'));
      const policy = templatePolicyOf(d);
      const identity = identityOf(d.xml).setting;
      out.push({ name, xmlPath, disks: overlayDisks(d).map((k) => k.source!), ...(policy ? { policy } : {}), ...(identity ? { identity } : {}) });
    } catch (e) {
      out.push({ name, xmlPath, disks: [], problem: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/**
 * The images of the templates in `dir` (each disk a clone gets an overlay for) with the format the template's XML
 * gives for it (undefined: none given). Templates that cannot be read are left out; a missing folder has none.
 */
export async function templateImageFormats(dir: string): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const f of (await fs.readdir(dir).catch(() => [] as string[])).sort()) {
    if (!f.endsWith('.xml') || f.startsWith('.') || nameProblem(f.slice(0, -4))) continue;
    const d = await fs.readFile(path.join(dir, f), 'utf8').then(parseDomain, () => undefined);
    if (d) for (const k of overlayDisks(d)) out.set(path.resolve(k.source!), k.format);
  }
  return out;
}

/** The XML of template `name` in `dir`; TemplateError (13) naming the templates there when it does not exist. */
export async function readTemplate(dir: string, name: string): Promise<string> {
  try {
    return await fs.readFile(templateFileIn(dir, name), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw await missingTemplateError(dir, name);
    throw e;
  }
}

/** The error for template `name` that is not in `dir`: it names those that are (or says there are none). */
export async function missingTemplateError(dir: string, name: string): Promise<TemplateError> {
  const known = (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.xml') && !f.startsWith('.')).map((f) => f.slice(0, -4));
  const hint = known.length ? `known templates: ${known.sort().join(', ')}` : `no templates in ${dir}`;
  return new TemplateError(`Template '${name}' does not exist (${hint}).`);
}

/** Renames a template file to `<file>.invalid` (or `.invalid-N` when taken), so it is no longer listed; the new name. */
export async function setTemplateFileAside(file: string): Promise<string> {
  let target = `${file}.invalid`;
  for (let i = 2; await fs.lstat(target).then(() => true, () => false); i++) target = `${file}.invalid-${i}`;
  await fs.rename(file, target);
  return target;
}

/** Writes `text` to `file` atomically: a temp file in the same directory, fsync, rename. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const h = await fs.open(tmp, 'wx', 0o644);
  try {
    await h.writeFile(text);
    await h.sync();
  } finally {
    await h.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes a template's XML: its clonable disks (the images clones are based on) are made read-only on disk first,
 * so no path (import, edit, copy, commit) leaves a template with a writable image; if the file cannot be written,
 * the modes are put back. Resolves to the images whose mode was changed.
 */
export async function writeTemplate(
  dir: string,
  name: string,
  xml: string,
  /** How the images are made read-only (the connection's image store; local files by default). */
  readOnly: (files: readonly string[]) => Promise<{ changed: string[]; undo: () => Promise<void> }> = makeReadOnlyAll,
): Promise<string[]> {
  const file = templateFileIn(dir, name);
  const { changed, undo } = await readOnly(clonableDisks(parseDomain(xml)).map((d) => d.source!));
  try {
    await writeAtomic(file, xml);
  } catch (e) {
    await undo();
    throw e;
  }
  return changed;
}
