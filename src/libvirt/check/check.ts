/**
 * check [TEMPLATE]: finds what qq2clone can lose track of and what can go wrong with images, and offers fixes.
 * Every finding says what it is and what its fix does. Fixes delete only files in our storage, and only files that
 * nothing uses when the fix runs (checked again then); the fixes that remove a clone or set a template file aside
 * are `explicit`: applied only when chosen one by one, never by "apply all".
 */
import * as path from 'node:path';
import type { CloneInfo, Inventory, LibvirtService } from '../api';
import { readTemplate, type DomainValidator } from '../templates';
import { generationDir, isWritableOnDisk } from '../storage';
import { imageStoreOf, storageDir, type ImageStore } from '../storage';
import { DomainDoc } from '../domain';
import { CONNECTIONS_FILE, graceFor, inUse, scanUsage, tooYoung, whyUndecided, type Usage } from '../storage';
import type { Finding } from './findings';
import { kvmAccessProblem } from './kvmAccess';

export { applyFix } from './fixes';

export type { Finding, FindingKind } from './findings';

interface Scan {
  readonly inv: Inventory;
  readonly images: ImageStore;
  readonly templateDir: string;
  readonly dir: string;
  readonly usage: Usage;
  /** Why nothing may be deleted now (something could not be read), if so. */
  readonly undecided: string | undefined;
  readonly known: ReadonlySet<string>;
  /** A template image (normalised path) -> its template. */
  readonly imageOwner: ReadonlyMap<string, string>;
}

/** Looks for every kind of problem; restricted to one template (and its clones and images) when given. */
export async function runCheck(
  svc: LibvirtService,
  template?: string,
  options: { signal?: AbortSignal; validate?: DomainValidator } = {},
): Promise<Finding[]> {
  const { signal } = options;
  const images = imageStoreOf(svc); // files of this machine, or volumes of the host's pools
  const [inv, dir] = await Promise.all([svc.inventory(signal), storageDir(svc, signal)]);
  const usage = await scanUsage(svc, signal);
  const imageOwner = new Map<string, string>();
  for (const t of inv.templates) for (const i of t.disks) imageOwner.set(path.resolve(i), t.name);
  const scan: Scan = { inv, images, templateDir: svc.config.templateDir, dir, usage, undecided: whyUndecided(usage), known: new Set(inv.templates.map((t) => t.name)), imageOwner };
  const findings = [
    ...(await templateFindings(scan, options.validate)),
    ...(await cloneFindings(scan)),
    ...(await snapshotFindings(svc, scan, signal)),
    ...foreignFindings(scan),
    ...(await storageFindings(scan, signal)),
  ];
  const kvm = images.viaPools ? undefined : await kvmAccessProblem(svc.config.uri);
  const machine: Finding[] = kvm ? [{ kind: 'kvm-unusable', message: kvm, advice: 'run the commands above as root.' }] : [];
  return [...machine, ...(template ? findings.filter((f) => f.template === template) : findings)];
}

/** Templates: unreadable or invalid XML, images writable on disk. */
async function templateFindings(scan: Scan, validate?: DomainValidator): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const t of scan.inv.templates) {
    let problem = t.problem;
    if (!problem) {
      try {
        const xml = await readTemplate(scan.templateDir, t.name);
        new DomainDoc(xml);
        const p = validate ? await validate(xml) : [];
        if (p.length) problem = p.join('; ');
      } catch (e) {
        problem = (e as Error).message;
      }
    }
    if (problem) {
      const clones = scan.inv.clones.filter((c) => c.template === t.name).length;
      const edit = `Correct it with modify-template ${t.name} edit`;
      out.push({
        kind: 'invalid-template', template: t.name, file: t.xmlPath,
        message: `Template ${t.name}: ${t.xmlPath} is not a valid domain XML (${problem}).`,
        ...(clones
          ? { advice: `${edit}: it has ${clones} clone(s), so it is not set aside.` }
          : {
              fix: `Set ${t.xmlPath} aside (rename it to ${path.basename(t.xmlPath)}.invalid): the template is no longer listed; rename it back once corrected.`,
              explicit: true,
              advice: `${edit}.`,
            }),
      });
    }
    for (const img of t.disks) {
      // A pool volume's mode cannot be changed through libvirt (nothing to offer); a local image's can.
      if (!scan.images.viaPools && (await isWritableOnDisk(img).catch(() => false))) {
        out.push({
          kind: 'image-writable', template: t.name, file: img,
          message: `Template ${t.name}'s image ${img} is writable on disk: anything that writes it corrupts its clones.`,
          fix: `Make ${img} read-only (chmod a-w).`,
        });
      }
    }
  }
  return out;
}

const labelOf = (c: CloneInfo): string => (c.staging ? `The staging clone ${c.name}` : `Clone ${c.id} (${c.name})`);

function removeFix(c: CloneInfo, why: string): Pick<Finding, 'fix' | 'explicit'> {
  const what = c.staging ? `the staging clone ${c.name}` : `clone ${c.id} (${c.name})`;
  return {
    fix: `Remove ${what} (${why}): undefine it and delete its overlay(s) in qq2clone's storage; its data is lost.`,
    explicit: true,
  };
}

/** The clones that share a template and a number with an earlier one: the one at its usual name keeps it. */
function duplicates(clones: readonly CloneInfo[]): { clone: CloneInfo; keeper: CloneInfo }[] {
  const groups = new Map<string, CloneInfo[]>();
  for (const c of clones.filter((x) => !x.staging)) {
    const key = `${c.template}\0${c.id}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const out: { clone: CloneInfo; keeper: CloneInfo }[] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const keeper = g.find((c) => c.name === `${c.template}-${c.id}`) ?? g[0]!;
    for (const c of g) if (c !== keeper) out.push({ clone: c, keeper });
  }
  return out;
}

/** Our clones: missing template, disks or backing files missing or changed, stale saved state, duplicate numbers. */
async function cloneFindings(scan: Scan): Promise<Finding[]> {
  const out: Finding[] = [];
  const { usage, known } = scan;
  for (const c of scan.inv.clones) {
    const label = labelOf(c);
    if (!known.has(c.template)) {
      out.push({
        kind: 'missing-template', template: c.template, uuid: c.uuid,
        message: `${label} belongs to template ${c.template}, which does not exist.`,
        advice: `Import or copy a template named ${c.template} to manage it again.`,
        ...removeFix(c, `its template ${c.template} is missing`),
      });
    }
    let broken = false;
    for (const disk of usage.domains.get(c.uuid)?.disks ?? []) {
      const info = usage.images.get(path.resolve(disk));
      if (!info) continue; // not read (defined while the scan ran): nothing known about it
      const backing = info.backing;
      const missing = !info.exists ? disk : backing && usage.images.get(backing)?.exists === false ? backing : undefined;
      if (info.error) {
        out.push({
          kind: 'disk-unreadable', template: c.template, uuid: c.uuid, file: disk,
          message: `${label}: its disk ${info.error}.`,
          advice: `Look at the file (qemu-img info ${disk}); if it is damaged, delete the clone (qq2clone -t ${c.template} rm ${c.id}).`,
        });
      } else if (missing && !broken) {
        broken = true;
        out.push({
          kind: 'backing-missing', template: c.template, uuid: c.uuid, file: disk,
          message:
            missing === disk
              ? `${label}: its disk ${disk} is missing.`
              : `${label}: the backing file ${missing} of its disk ${disk} is missing.`,
          advice: `The clone cannot start.${missing === disk ? '' : ` Restore ${missing} if you can.`}`,
          ...removeFix(c, 'it cannot start'),
        });
      } else if (backing && !missing && (await changedSince(scan.images, backing, disk))) {
        out.push({
          kind: 'backing-changed', template: c.template, uuid: c.uuid, file: backing,
          message: `${label}: its backing file ${backing} was modified after the clone was made; the clone's view of its disk may be corrupt.`,
          advice: `Make a new clone; keep this one only if its data is still right.`,
          ...removeFix(c, 'its disk may be corrupt'),
        });
      }
    }
    if (c.saved && broken && known.has(c.template)) {
      out.push({
        kind: 'stale-saved-state', template: c.template, uuid: c.uuid,
        message: `${label} has a saved state that cannot be restored (its disks are broken).`,
        fix: `Discard the saved state (virsh managedsave-remove ${c.name}).`,
      });
    }
  }
  for (const { clone: c, keeper } of duplicates(scan.inv.clones)) {
    out.push({
      kind: 'duplicate-id', template: c.template, uuid: c.uuid,
      message: `${c.name} and ${keeper.name} both have number ${c.id} in template ${c.template}.`,
      ...(known.has(c.template)
        ? { fix: `Give ${c.name} the lowest free number of template ${c.template} (its bookkeeping is rewritten; its name and disks stay).` }
        : { advice: `Import or copy a template named ${c.template} first, then check again.` }),
    });
  }
  return out;
}

/**
 * Snapshots libvirt keeps metadata of whose data is gone from the clone's overlays (the overlay was made afresh or
 * replaced): reverting to them would fail. The fix deletes libvirt's record only.
 */
async function snapshotFindings(svc: LibvirtService, scan: Scan, signal?: AbortSignal): Promise<Finding[]> {
  const out: Finding[] = [];
  const clones = scan.inv.clones.filter((c) => !c.staging);
  const snaps = await svc.snapshotsOf(clones.map((c) => c.uuid), signal);
  for (const c of clones) {
    const list = (snaps.get(c.uuid) ?? []).filter((s) => s.internal);
    if (!list.length) continue;
    for (const disk of scan.usage.domains.get(c.uuid)?.disks ?? []) {
      if (!scan.usage.images.get(path.resolve(disk))?.exists) continue;
      const inside = await scan.images.snapshotNames(disk, signal).catch(() => undefined);
      if (!inside) continue;
      for (const s of list.filter((x) => !inside.includes(x.name))) {
        out.push({
          kind: 'snapshot-data-missing', template: c.template, uuid: c.uuid, file: disk, snapshot: s.name,
          message: `${labelOf(c)}: libvirt lists its snapshot ${s.name}, but the snapshot's data is gone from ${disk}; reverting to it would fail.`,
          fix: `Delete libvirt's record of snapshot ${s.name} of ${c.name} (its data is already gone).`,
        });
      }
    }
  }
  // One finding per snapshot, however many of its disks lost it.
  return out.filter((f, i) => out.findIndex((g) => g.uuid === f.uuid && g.snapshot === f.snapshot) === i);
}

/** True when `backing` was written after `overlay` was made. */
async function changedSince(images: ImageStore, backing: string, overlay: string): Promise<boolean> {
  const [ov, bk] = await Promise.all([overlay, backing].map((f) => images.stat(f, { followLinks: true }).catch(() => undefined)));
  if (!ov || !bk) return false; // removed while we looked
  return bk.mtimeMs > ov.createdMs + 1000;
}

/** Foreign domains: a template image attached writable is a danger to clones. */
function foreignFindings(scan: Scan): Finding[] {
  const out: Finding[] = [];
  for (const f of scan.inv.foreign) {
    for (const d of scan.usage.domains.get(f.uuid)?.writable ?? []) {
      const owner = scan.imageOwner.get(path.resolve(d));
      if (!owner) continue;
      out.push({
        kind: 'writable-base', template: owner, uuid: f.uuid, file: d,
        message: `Domain ${f.name} (${f.state}) has template ${owner}'s image ${d} attached writable: if it runs, clones cannot start (QEMU write lock) and whatever it writes corrupts them.`,
        advice: `Never run ${f.name} with this disk: give it its own copy, mark the disk <readonly/>, or undefine it.`,
      });
    }
  }
  return out;
}

/** Files in our storage (overlays, saved states) and our generation images that nothing uses. */
async function storageFindings(scan: Scan, signal?: AbortSignal): Promise<Finding[]> {
  const out: Finding[] = [];
  const minutes = (ms: number) => `${Math.max(1, Math.round(ms / 60_000))} minute(s)`;
  // Every left-over is reported; one written within its grace period may be a clone or image being made right now,
  // so its deletion is offered only once it is older.
  const deletion = ({ file, recent }: Candidate): Pick<Finding, 'fix' | 'advice' | 'recent'> =>
    recent
      ? { recent: true, advice: `Not offered for deletion yet: it may be being made right now; deletion is offered once it is older than ${minutes(graceFor(file))} (check again then).` }
      : scan.undecided
        ? { advice: `Not offered for deletion: ${scan.undecided}.` }
        : { fix: `Delete ${file}.` };
  const recently = (c: Candidate) => (c.recent ? ` It was written ${minutes(Date.now() - c.mtimeMs)} ago: possibly being made right now.` : '');
  interface Candidate {
    readonly file: string;
    readonly recent: boolean;
    readonly mtimeMs: number;
  }
  const candidates = async (dir: string): Promise<Candidate[]> => {
    const entries = await scan.images.list(dir).catch(() => []);
    return entries
      .filter((st) => !st.path.endsWith('.part') && path.basename(st.path) !== CONNECTIONS_FILE && !inUse(scan.usage, st.path))
      .map((st) => ({ file: st.path, recent: tooYoung(st.path, st), mtimeMs: st.mtimeMs }));
  };
  for (const c of await candidates(scan.dir)) {
    const { file } = c;
    const backing = (await scan.images.imageInfo(file, signal)).backing;
    const owner = backing ? (scan.imageOwner.get(backing) ?? ownerByGeneration(backing) ?? ownerByOverlayName(file, scan.known)) : undefined;
    out.push(
      backing
        ? {
            kind: 'orphan-overlay', ...(owner ? { template: owner } : {}), file,
            message: `${file} is a left-over clone overlay (on ${backing}) whose domain is gone.${recently(c)}`,
            ...deletion(c),
          }
        : {
            kind: 'stray-file', file,
            message: `${file} is in qq2clone's storage but no domain uses it (a left-over image or saved state).${recently(c)}`,
            ...deletion(c),
          },
    );
  }
  for (const c of (await candidates(generationDir(scan.dir))).filter((f) => f.file.endsWith('.qcow2'))) {
    const owner = ownerByGeneration(c.file);
    out.push({
      kind: 'unused-generation', ...(owner ? { template: owner } : {}), file: c.file,
      message: `${c.file} is an old template image generation that no template and no clone uses any more.${recently(c)}`,
      ...deletion(c),
    });
  }
  return out;
}

/** The template a generation file was made for (its name starts with it). */
function ownerByGeneration(file: string): string | undefined {
  return /^(.*)\.gen\d+\.[^/]*\.qcow2$/.exec(path.basename(file))?.[1];
}

/**
 * The template an overlay was made for, by its name (`<template>-<number or "staging">-<disk>...qcow2`, as clone and
 * prepare-image name them), when its backing image no longer says so: the template moved to a newer image
 * generation, and the overlay backs onto its first image, which names no template. The longest known template
 * name that fits wins (a template "a" and a template "a-1" cannot both own "a-1-2-vda.qcow2" once a disk's name
 * starts with a letter).
 */
function ownerByOverlayName(file: string, templates: ReadonlySet<string>): string | undefined {
  const base = path.basename(file);
  let owner: string | undefined;
  for (const t of templates) {
    if (!base.startsWith(`${t}-`) || (owner && owner.length >= t.length)) continue;
    if (/^(?:\d+|staging)-[A-Za-z].*\.qcow2$/.test(base.slice(t.length + 1))) owner = t;
  }
  return owner;
}

/** The findings as a plain-text report (the editor document and the CLI print this). */
export function formatReport(findings: readonly Finding[], template?: string): string {
  const scope = template ? `template ${template}` : 'all templates';
  if (!findings.length) return `qq2clone check (${scope}): no problems found.\n`;
  const lines = [`qq2clone check (${scope}): ${findings.length} problem(s).`, ''];
  findings.forEach((f, i) => {
    lines.push(`${i + 1}. [${f.kind}] ${f.message}`);
    if (f.fix) lines.push(`   Fix${f.explicit ? ' (only when chosen by itself)' : ''}: ${f.fix}`);
    if (f.advice) lines.push(`   ${f.fix ? 'Otherwise' : 'No automatic fix'}: ${f.advice}`);
  });
  return `${lines.join('\n')}\n`;
}
