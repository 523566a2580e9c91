/**
 * The inventory in a constant number of round trips: one write of three commands to one session (`list --all
 * --uuid --name`, `list --all --with-managed-save --uuid`, `domstats --state`), plus, for domains whose bookkeeping
 * is not cached, one pipelined write of `dumpxml --xpath /domain/metadata` per domain.
 */
import { LibvirtError, type Qq2Error } from '../../core/errors';
import type { CloneInfo, ForeignDomain, Inventory } from '../api';
import type { ServiceCore } from '../serviceCore';
import { domainGone } from '../process';
import { parseDomstatsState, parseLines, parseUuidNameList } from '../virsh';
import { mapState } from '../virsh';
import { readMetaSnippet, type CloneMeta } from '../domain';
import { readTemplateDir } from '../templates';

export interface DomainRow {
  readonly uuid: string;
  readonly name: string;
  readonly state: CloneInfo['state'];
  readonly reason: string;
  readonly saved: boolean;
  readonly meta: CloneMeta | null;
}

function settled(r: PromiseSettledResult<string> | undefined): string {
  if (!r) throw new LibvirtError('virsh gave no answer.');
  if (r.status === 'rejected') throw r.reason as Qq2Error;
  return r.value;
}

/**
 * The bookkeeping of these domains: from the cache, else read for all of them in one pipelined write of
 * `dumpxml --xpath /domain/metadata` (and cached). A domain undefined meanwhile answers with an error: it is gone
 * and left out of the map. Any other failed read throws (naming the domains): a listing without them would show
 * clones as gone that are not.
 */
export async function readMetas(core: ServiceCore, uuids: readonly string[], signal?: AbortSignal): Promise<Map<string, CloneMeta | null>> {
  const metas = new Map<string, CloneMeta | null>();
  const unknown: string[] = [];
  for (const u of uuids) {
    const m = core.metaCache.get(u);
    if (m !== undefined) metas.set(u, m);
    else unknown.push(u);
  }
  if (!unknown.length) return metas;
  const answers = await core.virshBatch(
    unknown.map((u) => ['dumpxml', '--inactive', '--xpath', '/domain/metadata', u]),
    signal,
    Math.ceil(unknown.length / 64),
  );
  const failures: string[] = [];
  answers.forEach((a, i) => {
    if (a.status !== 'fulfilled') {
      // Undefined meanwhile: gone, left out. Any other failure is said: the domain must not silently vanish.
      const e = a.reason as Qq2Error;
      if (!domainGone(e)) failures.push(`${unknown[i]} (${e?.message ?? String(e)})`);
      return;
    }
    const m = readMetaSnippet(a.value) ?? null;
    metas.set(unknown[i]!, m);
    core.metaCache.set(unknown[i]!, m);
  });
  if (failures.length) throw new LibvirtError(`Could not read qq2clone's bookkeeping of domain(s) ${failures.join(', ')}.`);
  return metas;
}

/**
 * Every domain with state, reason, managed-save flag and our bookkeeping. With `withMeta: false` only the one
 * write of three commands is made and `meta` is only what the cache knows, else null (for callers that need
 * states alone).
 */
export async function readDomains(core: ServiceCore, signal?: AbortSignal, withMeta = true): Promise<DomainRow[]> {
  const [list, saved, stats] = await core.virshBatch(
    [['list', '--all', '--uuid', '--name'], ['list', '--all', '--with-managed-save', '--uuid'], ['domstats', '--state']],
    signal,
  );
  const rows = parseUuidNameList(settled(list));
  const savedSet = new Set(parseLines(settled(saved)));
  const st = parseDomstatsState(settled(stats));
  core.noteNames?.(rows);
  const metas = withMeta
    ? await readMetas(core, rows.map((r) => r.uuid), signal)
    : new Map(rows.map((r) => [r.uuid, core.metaCache.get(r.uuid) ?? null]));
  const out: DomainRow[] = [];
  for (const r of rows) {
    const meta = metas.get(r.uuid);
    if (meta === undefined) continue;
    const s = st.get(r.name);
    const m = mapState(s?.state ?? 5, s?.reason ?? 0, savedSet.has(r.uuid));
    out.push({ uuid: r.uuid, name: r.name, state: m.state, reason: m.reason, saved: savedSet.has(r.uuid), meta });
  }
  return out;
}

export async function readInventory(core: ServiceCore, signal?: AbortSignal): Promise<Inventory> {
  const [templates, rows] = await Promise.all([readTemplateDir(core.config.templateDir), readDomains(core, signal)]);
  const clones: CloneInfo[] = [];
  const foreign: ForeignDomain[] = [];
  for (const r of rows) {
    if (r.meta) {
      clones.push({
        template: r.meta.template,
        id: r.meta.id,
        name: r.name,
        uuid: r.uuid,
        state: r.state,
        reason: r.reason,
        saved: r.saved,
        ...(r.meta.staging ? { staging: true } : {}),
        ...(r.meta.storage ? { storage: r.meta.storage } : {}),
        ...(r.meta.policy ? { policy: r.meta.policy } : {}),
      });
    } else foreign.push({ name: r.name, uuid: r.uuid, state: r.state });
  }
  clones.sort((a, b) => a.template.localeCompare(b.template) || a.id - b.id);
  const withStaging = templates.map((t) =>
    clones.some((c) => c.template === t.name && c.staging) ? { ...t, staging: true } : t,
  );
  return { templates: withStaging, clones, foreign };
}
