/**
 * Give New Identity to existing clones that are off: the same batch writer as a new clone's (one appliance for all),
 * the hostname by the clone's identity setting (carried from its template), the template's current one, or the
 * default pattern; `hostname` overrides the pattern. What was written goes into the clone's <metadata>.
 */
import { PermissionError, asQq2Error, type Qq2Error } from '../../core/errors';
import { DEFAULT_HOSTNAME_PATTERN, hostnamePatternProblem, renderHostname } from '../../core/hostnamePattern';
import { UsageError } from '../../core/errors';
import type { BatchOptions, BatchResult, CloneInfo, CloneRef, LibvirtService } from '../api';
import { identityElement, identityOf, IDENTITY_NS, overlayDisks, parseDomain, sshLoginOf, type AppliedIdentity, type IdentitySetting } from '../domain';
import { knownHostsPath } from '../guests';
import { forgetDomain, virshVia } from '../serviceCore';
import { writeIdentities, type IdentityJob } from './writeIdentities';

export interface NewIdentityOptions extends BatchOptions {
  /** Hostname pattern for these clones instead of their setting's. */
  readonly hostname?: string;
  /** A public key line to authorize instead of their setting's. */
  readonly authorizedKey?: string;
}

/**
 * The job for one clone from its XML (or its template's) and its setting (the user: the setting's, the template's SSH
 * login, root); `disks` default to the XML's writable file disks (a clone's overlays).
 */
export function identityJob(
  c: { template: string; id: number; name: string; uuid: string },
  xml: string,
  s: IdentitySetting,
  disks: readonly string[] = overlayDisks(parseDomain(xml)).map((d) => d.source!),
): IdentityJob {
  const user = s.user ?? sshLoginOf(xml) ?? 'root';
  return {
    uuid: c.uuid,
    what: `clone ${c.id} of ${c.template}`,
    disks,
    hostname: renderHostname(s.hostname, { template: c.template, number: c.id, name: c.name }),
    ...(s.authorizedKey ? { authorize: { user, key: s.authorizedKey } } : {}),
  };
}

function whyNot(c: CloneInfo): string | undefined {
  if (c.saved || c.state === 'saved') return `${c.name} has a saved state: writing its disk would corrupt what it resumes. Delete the saved state or start and shut it down first.`;
  if (c.state !== 'off') return `${c.name} is ${c.state}: a new identity is written only while the clone is off. Shut it down first.`;
  return undefined;
}

/** Records what was written in the clone's persistent <metadata> (the clone is off). */
async function recordApplied(svc: LibvirtService, uuid: string, s: IdentitySetting, applied: AppliedIdentity, signal?: AbortSignal): Promise<void> {
  await virshVia(svc, ['metadata', uuid, IDENTITY_NS, '--key', 'id', '--set', identityElement(s, applied, ''), '--config'], signal);
  forgetDomain(svc, uuid);
}

/**
 * Writes a new identity into each of these clones (off, no saved state; others are skipped with the reason),
 * all in one appliance, under their locks. Each clone is done, skipped, failed (why) or cancelled.
 */
export async function giveNewIdentity(svc: LibvirtService, refs: readonly CloneRef[], o: NewIdentityOptions = {}): Promise<BatchResult> {
  const problem = o.hostname !== undefined ? hostnamePatternProblem(o.hostname) : undefined;
  if (problem) throw new UsageError(problem);
  const { signal } = o;
  return svc.withCloneLock(
    refs.map((r) => r.uuid),
    async () => {
      const inv = await svc.inventory(signal);
      const done: CloneRef[] = [];
      const skipped: { clone: CloneRef; reason: string }[] = [];
      const failed: { clone: CloneRef; error: Qq2Error }[] = [];
      const jobs: { ref: CloneRef; job: IdentityJob; setting: IdentitySetting }[] = [];
      const templates = new Map<string, IdentitySetting | undefined>();
      for (const ref of refs) {
        const info = inv.clones.find((c) => c.uuid === ref.uuid);
        const why = info ? whyNot(info) : `${ref.name} does not exist any more.`;
        if (why) {
          skipped.push({ clone: ref, reason: why });
          continue;
        }
        try {
          const xml = await svc.domainXml(ref.uuid, signal ? { signal } : {});
          if (!templates.has(ref.template)) templates.set(ref.template, await svc.templateXml(ref.template).then((t) => identityOf(t).setting, () => undefined));
          const base = identityOf(xml).setting ?? templates.get(ref.template) ?? { hostname: DEFAULT_HOSTNAME_PATTERN };
          const setting: IdentitySetting = {
            ...base,
            ...(o.hostname !== undefined ? { hostname: o.hostname } : {}),
            ...(o.authorizedKey !== undefined ? { authorizedKey: o.authorizedKey } : {}),
          };
          const job = identityJob(ref, xml, setting);
          if (!job.disks.length) throw new PermissionError(`${ref.name} has no disk of its own to write an identity into.`);
          jobs.push({ ref, job, setting });
        } catch (e) {
          failed.push({ clone: ref, error: asQq2Error(e) });
        }
      }
      const total = refs.length;
      let n = skipped.length + failed.length;
      const results = await writeIdentities(
        jobs.map((j) => j.job),
        {
          knownHosts: knownHostsPath(svc.config.home),
          ...(signal ? { signal } : {}),
          onProgress: (_d, _t, uuid) => o.onProgress?.({ done: ++n, total, item: jobs.find((j) => j.ref.uuid === uuid)!.ref }),
        },
      );
      const cancelled: CloneRef[] = [];
      for (const { ref, setting } of jobs) {
        const r = results.get(ref.uuid);
        if (!r) cancelled.push(ref);
        else if (r instanceof Error) failed.push({ clone: ref, error: r });
        else
          await recordApplied(svc, ref.uuid, setting, r.applied, signal).then(
            () => done.push(ref),
            (e: unknown) => failed.push({ clone: ref, error: asQq2Error(e) }),
          );
      }
      return { done, skipped, failed, cancelled };
    },
    signal,
  );
}
