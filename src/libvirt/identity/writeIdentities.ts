/**
 * Writes new identities into the disks of many clones that are off, with ONE libguestfs appliance for a batch of
 * up to MAX_DRIVES drives (their overlays attached together; a bigger batch in groups of that many): per
 * clone the hostname (/etc/hostname, /etc/hosts), a fresh /etc/machine-id, a fresh SSH host key made on this host
 * for the server the guest has (OpenSSH in /etc/ssh, dropbear in /etc/dropbear), and optionally a user's public key.
 * Only the clones' overlays are opened for writing; their backing template image is read-only to QEMU. The host keys
 * written are pinned in the product's known-hosts file under each clone's UUID, so the first SSH login checks them.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CancelledError, asQq2Error, type Qq2Error } from '../../core/errors';
import type { AppliedIdentity } from '../domain';
import { GuestfsHelper, type Drive } from '../disks';
import { replaceKnownHosts } from '../guests';
import { newHostKey, newMachineId, type HostKeyPair } from './hostKeys';

/**
 * Most drives given to one appliance. The direct backend takes up to 255, but under TCG the appliance's start and
 * its calls slow down with the drives attached (start: 21 s with 1 drive, 28 s with 10, 76 s with 40, 118 s with 100;
 * listing the partitions: 1.4 s, 4.3 s, 27 s, 42 s), so a big batch goes in appliances of this many, one after another.
 */
export const MAX_DRIVES = 20;

export interface IdentityJob {
  /** The clone's UUID: the key of its known-hosts entries. */
  readonly uuid: string;
  /** For messages: "clone 3 of T". */
  readonly what: string;
  /** The clone's writable disks (overlays), in device order. */
  readonly disks: readonly string[];
  readonly hostname: string;
  /** A public key line to authorize for `user`. */
  readonly authorize?: { readonly user: string; readonly key: string };
}

export interface IdentityWritten {
  readonly applied: AppliedIdentity;
  /** SSH servers whose host keys were replaced ("openssh", "dropbear"); empty: the guest has none. */
  readonly servers: readonly string[];
}

export interface IdentityWriteOptions {
  readonly signal?: AbortSignal;
  /** After each clone: how many are done of how many, and which. */
  readonly onProgress?: (done: number, total: number, uuid: string) => void;
  /** The known-hosts file to pin the new host keys in (see guest/ssh.ts knownHostsPath). */
  readonly knownHosts: string;
  /** Drives per appliance (tests and benches); default MAX_DRIVES. */
  readonly maxDrives?: number;
  /**
   * After each appliance closed (its clones' overlays released, their host keys pinned): what was written for its
   * clones, so they can be defined and started while the next group is written.
   */
  readonly onGroupWritten?: (written: ReadonlyMap<string, IdentityWritten | Qq2Error>) => Promise<void>;
}

/** Splits jobs into groups whose drives fit one appliance. */
function groupsOf(jobs: readonly IdentityJob[], max: number): IdentityJob[][] {
  const out: IdentityJob[][] = [];
  let cur: IdentityJob[] = [];
  let n = 0;
  for (const j of jobs) {
    if (cur.length && n + j.disks.length > max) {
      out.push(cur);
      cur = [];
      n = 0;
    }
    cur.push(j);
    n += j.disks.length;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Writes each job's identity; resolves, by UUID, to what was written or why not (a clone whose identity could not be
 * written must not be started as if it had one). When cancelled, the clones not reached are missing from the map
 * (left as they were; the one being written may have part of its identity).
 */
export async function writeIdentities(jobs: readonly IdentityJob[], o: IdentityWriteOptions): Promise<Map<string, IdentityWritten | Qq2Error>> {
  const out = new Map<string, IdentityWritten | Qq2Error>();
  const pinned: { uuid: string; key: HostKeyPair }[] = [];
  let done = 0;
  try {
    for (const group of groupsOf(jobs, o.maxDrives ?? MAX_DRIVES)) {
      if (o.signal?.aborted) throw new CancelledError();
      const drives = group.map((j) => j.disks.map((d): Drive => ({ path: d, side: 'm', format: 'qcow2' })));
      const what = group.length === 1 ? group[0]!.what : `${group.length} clones`;
      const helper = await GuestfsHelper.launchGroups(what, drives, o.signal);
      const onAbort = () => void helper.close(true);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for (const [i, job] of group.entries()) {
          if (o.signal?.aborted) throw new CancelledError();
          const key = newHostKey(`root@${job.hostname}`);
          const machineId = newMachineId();
          const req = {
            group: i,
            hostname: job.hostname,
            machineId,
            hostKey: { openssh: key.openssh.toString('base64'), dropbear: key.dropbear.toString('base64'), public: key.publicLine },
            ...(job.authorize ? { authorize: job.authorize } : {}),
          };
          try {
            // The helper mounts this clone's filesystems, writes, and unmounts them, which flushes its drives: when
            // it answers, the identity is in the overlay (and no other clone's drive was flushed for it).
            const r = (await helper.call('identity', req)) as { servers: string[] };
            const keys = r.servers.length ? [{ type: key.type, fingerprint: key.fingerprint }] : [];
            out.set(job.uuid, { applied: { hostname: job.hostname, machineId, keys }, servers: r.servers });
            if (r.servers.length) pinned.push({ uuid: job.uuid, key });
          } catch (e) {
            if (o.signal?.aborted) throw new CancelledError();
            const err = asQq2Error(e);
            err.message = `The identity of ${job.what} could not be written: ${err.message}`;
            out.set(job.uuid, err);
          }
          o.onProgress?.(++done, jobs.length, job.uuid);
        }
      } finally {
        o.signal?.removeEventListener('abort', onAbort);
        // Closing shuts the appliance down: its QEMU holds the overlays' image locks until it is gone.
        await helper.close(o.signal?.aborted === true);
      }
      if (pinned.length) await pinHostKeys(o.knownHosts, pinned.splice(0));
      if (o.onGroupWritten && !o.signal?.aborted) await o.onGroupWritten(new Map(group.filter((j) => out.has(j.uuid)).map((j) => [j.uuid, out.get(j.uuid)!])));
    }
  } catch (e) {
    // Cancelled: what was written so far is reported; the rest is missing from the map.
    if (!o.signal?.aborted) throw e;
  } finally {
    if (pinned.length) await pinHostKeys(o.knownHosts, pinned);
  }
  return out;
}

/** Records the keys in the known-hosts file under each clone's UUID (their old entries replaced). */
async function pinHostKeys(file: string, keys: readonly { uuid: string; key: HostKeyPair }[]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let text = await fs.readFile(file, 'utf8').catch(() => '');
  for (const { uuid, key } of keys) text = replaceKnownHosts(text, uuid, [{ type: key.type, key: key.publicKey }]);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o600 });
  await fs.rename(tmp, file);
}
