/**
 * check [TEMPLATE]: finds what qq2clone can lose track of and what can go wrong with images, and fixes what can be
 * fixed safely. Every finding says what it is and what its fix does; fixes delete only files in our storage.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { CloneInfo, Inventory, LibvirtService } from './api';
import type { DomainValidator } from './templateOps';
import { backingChain, generationDir, isWritableOnDisk, makeReadOnly } from './images';
import { storageDir } from './storageDir';
import { DomainDoc } from './templateXml';
import { tryVirshVia, virshVia } from './serviceCore';

export type FindingKind =
  | 'orphan-overlay'
  | 'stray-file'
  | 'missing-template'
  | 'backing-missing'
  | 'backing-changed'
  | 'stale-saved-state'
  | 'invalid-template'
  | 'duplicate-id'
  | 'writable-base'
  | 'image-writable'
  | 'unused-generation';

export interface Finding {
  readonly kind: FindingKind;
  /** The template it concerns, when known. */
  readonly template?: string;
  /** What it is, in one sentence. */
  readonly message: string;
  /** What the fix does; undefined when there is no safe automatic fix (then `advice` says what to do). */
  readonly fix?: string;
  readonly advice?: string;
  /** The file the fix deletes or changes, or the domain it acts on. */
  readonly file?: string;
  readonly uuid?: string;
}

interface Scan {
  inv: Inventory;
  dir: string;
  /** Every file any domain (ours or not) has as a disk or in a disk's backing chain. */
  used: Set<string>;
  /** Template name -> its current disk images. */
  templateImages: Map<string, string[]>;
}

async function domainDisks(svc: LibvirtService, uuid: string, signal?: AbortSignal): Promise<DomainDoc | undefined> {
  const xml = await tryVirshVia(svc, ['dumpxml', uuid], signal);
  try {
    return xml ? new DomainDoc(xml) : undefined;
  } catch {
    return undefined;
  }
}

/** Looks for every kind of problem; restricted to one template (and its clones and images) when given. */
export async function runCheck(
  svc: LibvirtService,
  template?: string,
  options: { signal?: AbortSignal; validate?: DomainValidator } = {},
): Promise<Finding[]> {
  const { signal } = options;
  const inv = await svc.inventory(signal);
  const dir = await storageDir(svc, signal);
  const templateImages = new Map(inv.templates.map((t) => [t.name, [...t.disks]]));
  const scan: Scan = { inv, dir, used: new Set(), templateImages };
  const findings: Finding[] = [];
  const known = new Set(inv.templates.map((t) => t.name));
  const imageOwner = new Map<string, string>();
  for (const [t, imgs] of templateImages) for (const i of imgs) imageOwner.set(i, t);

  // Templates: unreadable or invalid XML, images writable on disk.
  for (const t of inv.templates) {
    let problem = t.problem;
    if (!problem) {
      try {
        const xml = await fs.readFile(t.xmlPath, 'utf8');
        new DomainDoc(xml);
        const p = options.validate ? await options.validate(xml) : [];
        if (p.length) problem = p.join('; ');
      } catch (e) {
        problem = (e as Error).message;
      }
    }
    if (problem) {
      findings.push({
        kind: 'invalid-template', template: t.name, file: t.xmlPath,
        message: `Template ${t.name}: ${t.xmlPath} is not a valid domain XML (${problem}).`,
        advice: `Correct it with modify-template ${t.name} edit, or delete the file if the template is not wanted.`,
      });
    }
    for (const img of t.disks) {
      if (await isWritableOnDisk(img).catch(() => false)) {
        findings.push({
          kind: 'image-writable', template: t.name, file: img,
          message: `Template ${t.name}'s image ${img} is writable on disk: anything that writes it corrupts its clones.`,
          fix: `Make ${img} read-only (chmod a-w).`,
        });
      }
    }
  }

  // Our clones: missing template, backing file missing or changed, stale saved state, duplicate numbers.
  const seen = new Map<string, CloneInfo>();
  for (const c of inv.clones) {
    const label = c.staging ? `The staging clone ${c.name}` : `Clone ${c.id} (${c.name})`;
    if (!known.has(c.template)) {
      findings.push({
        kind: 'missing-template', template: c.template, uuid: c.uuid,
        message: `${label} belongs to template ${c.template}, which does not exist.`,
        advice: `Import or copy a template named ${c.template} to manage it again, or undefine the domain.`,
      });
    }
    const key = `${c.template}\0${c.id}`;
    const first = seen.get(key);
    if (first && !c.staging) {
      findings.push({
        kind: 'duplicate-id', template: c.template, uuid: c.uuid,
        message: `${c.name} and ${first.name} both have number ${c.id} in template ${c.template}.`,
        advice: `Remove one of them (virsh undefine ${c.name} and its overlay), so the number is unique again.`,
      });
    } else seen.set(key, c);
    let broken = false;
    for (const disk of await svc.cloneDisks(c.uuid, signal).catch(() => [] as string[])) {
      scan.used.add(disk);
      const top = await backingChain(disk, signal).catch(() => undefined);
      const backing = top?.[0]?.backing;
      if (!top) {
        broken = true;
        findings.push({
          kind: 'backing-missing', template: c.template, uuid: c.uuid, file: disk,
          message: `${label}: its disk ${disk} is missing or unreadable (or a file of its backing chain is).`,
          advice: `The clone cannot start: delete it (qq2clone -t ${c.template} rm ${c.id}).`,
        });
        continue;
      }
      for (const e of top) scan.used.add(e.filename);
      if (backing && top.length === 1) {
        broken = true;
        findings.push({
          kind: 'backing-missing', template: c.template, uuid: c.uuid, file: disk,
          message: `${label}: the backing file ${backing} of ${disk} is missing.`,
          advice: `The clone cannot start: delete it (qq2clone -t ${c.template} rm ${c.id}), or restore ${backing}.`,
        });
      } else if (backing) {
        const stats = await Promise.all([fs.stat(disk), fs.stat(backing)]).catch(() => undefined);
        if (!stats) continue; // removed while we looked
        const [ov, bk] = stats;
        const made = ov.birthtimeMs > 0 ? ov.birthtimeMs : ov.ctimeMs;
        if (bk.mtimeMs > made + 1000) {
          findings.push({
            kind: 'backing-changed', template: c.template, uuid: c.uuid, file: backing,
            message: `${label}: its backing file ${backing} was modified after the clone was made; the clone's view of its disk may be corrupt.`,
            advice: `Delete the clone and make a new one (qq2clone -t ${c.template} rm ${c.id}).`,
          });
        }
      }
    }
    if (c.saved && broken && known.has(c.template)) {
      findings.push({
        kind: 'stale-saved-state', template: c.template, uuid: c.uuid,
        message: `${label} has a saved state that cannot be restored (its disks are broken).`,
        fix: `Discard the saved state (virsh managedsave-remove ${c.name}).`,
      });
    }
  }

  // Foreign domains: their disks count as used; a template image attached writable is a danger to clones.
  for (const f of inv.foreign) {
    const doc = await domainDisks(svc, f.uuid, signal);
    for (const d of doc?.disks() ?? []) {
      scan.used.add(d.source);
      for (const e of await backingChain(d.source, signal).catch(() => [])) scan.used.add(e.filename);
      const owner = imageOwner.get(d.source);
      if (owner) {
        findings.push({
          kind: 'writable-base', template: owner, uuid: f.uuid, file: d.source,
          message: `Domain ${f.name} (${f.state}) has template ${owner}'s image ${d.source} attached writable: if it runs, clones cannot start (QEMU write lock) and whatever it writes corrupts them.`,
          advice: `Never run ${f.name} with this disk: give it its own copy, mark the disk <readonly/>, or undefine it.`,
        });
      }
    }
  }
  for (const imgs of templateImages.values()) for (const i of imgs) scan.used.add(i);

  findings.push(...(await strayFiles(scan, imageOwner, signal)));
  return template ? findings.filter((f) => f.template === template) : findings;
}

/** Files in our storage (overlays, saved states) and our generation images that nothing uses. */
async function strayFiles(scan: Scan, imageOwner: Map<string, string>, signal?: AbortSignal): Promise<Finding[]> {
  const out: Finding[] = [];
  const entries = await fs.readdir(scan.dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries.filter((x) => x.isFile())) {
    const file = path.join(scan.dir, e.name);
    if (scan.used.has(file) || e.name.endsWith('.part')) continue;
    // A hidden file younger than ten minutes may belong to a clone batch in progress (its prototype overlay).
    if (e.name.startsWith('.') && Date.now() - (await fs.stat(file)).mtimeMs < 10 * 60_000) continue;
    const chain = await backingChain(file, signal).catch(() => undefined);
    const backing = chain?.[0]?.backing;
    const owner = backing ? (imageOwner.get(backing) ?? ownerByGeneration(backing)) : undefined;
    if (backing) {
      out.push({
        kind: 'orphan-overlay', ...(owner ? { template: owner } : {}), file,
        message: `${file} is a left-over clone overlay (on ${backing}) whose domain is gone.`,
        fix: `Delete ${file}.`,
      });
    } else {
      out.push({
        kind: 'stray-file', file,
        message: `${file} is in qq2clone's storage but no domain uses it (a left-over image or saved state).`,
        fix: `Delete ${file}.`,
      });
    }
  }
  const gens = await fs.readdir(generationDir(scan.dir)).catch(() => [] as string[]);
  for (const g of gens.filter((n) => n.endsWith('.qcow2'))) {
    const file = path.join(generationDir(scan.dir), g);
    if (scan.used.has(file)) continue;
    out.push({
      kind: 'unused-generation', template: ownerByGeneration(file), file,
      message: `${file} is an old template image generation that no template and no clone uses any more.`,
      fix: `Delete ${file}.`,
    });
  }
  return out;
}

/** The template a generation file was made for (its name starts with it). */
function ownerByGeneration(file: string): string | undefined {
  return /^(.*)\.gen\d+\.[^/]*\.qcow2$/.exec(path.basename(file))?.[1];
}

/** Applies a finding's fix. Deletes only files inside the storage directory. */
export async function applyFix(svc: LibvirtService, f: Finding, signal?: AbortSignal): Promise<string> {
  if (!f.fix) throw new Error(`No automatic fix for: ${f.message}`);
  switch (f.kind) {
    case 'orphan-overlay':
    case 'stray-file':
    case 'unused-generation': {
      const dir = await storageDir(svc, signal);
      const file = path.resolve(f.file ?? '');
      if (!file.startsWith(dir + path.sep)) throw new Error(`Refusing to delete ${file}: it is not in ${dir}.`);
      await fs.rm(file);
      return `Deleted ${file}.`;
    }
    case 'image-writable':
      await makeReadOnly(f.file ?? '');
      return `Made ${f.file} read-only.`;
    case 'stale-saved-state':
      await virshVia(svc, ['managedsave-remove', f.uuid ?? ''], signal);
      return `Discarded the saved state of ${f.uuid}.`;
    default:
      throw new Error(`No automatic fix for: ${f.message}`);
  }
}

/** The findings as a plain-text report (the editor document and the CLI print this). */
export function formatReport(findings: readonly Finding[], template?: string): string {
  const scope = template ? `template ${template}` : 'all templates';
  if (!findings.length) return `qq2clone check (${scope}): no problems found.\n`;
  const lines = [`qq2clone check (${scope}): ${findings.length} problem(s).`, ''];
  findings.forEach((f, i) => {
    lines.push(`${i + 1}. [${f.kind}] ${f.message}`);
    lines.push(f.fix ? `   Fix: ${f.fix}` : `   No automatic fix: ${f.advice ?? ''}`);
  });
  return `${lines.join('\n')}\n`;
}
