/**
 * Which libvirt connections made clones in a storage directory, recorded in the directory itself (the home,
 * STORAGE and the template directory do not depend on the connection). Before anything there is deleted as unused,
 * every connection recorded must have been read: a clone made on qemu:///session uses files that qemu:///system
 * does not see. A session daemon belongs to one account, so its line names the account (uid) that recorded it.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isSessionUri } from '../../core/connectionUri';
import { UsageError } from '../../core/errors';

/** The record's file name, in the storage directory (never a left-over: check skips it). */
export const CONNECTIONS_FILE = '.qq2clone-connections';

/** A connection that made clones in a storage directory. */
export interface StorageConnection {
  readonly uri: string;
  /** The account that used it, for session daemons (another account's session cannot be reached by its URI). */
  readonly uid?: number;
}

const currentUid = (): number | undefined => process.getuid?.();

function lineOf(c: StorageConnection): string {
  return c.uid === undefined ? c.uri : `${c.uri}\tuid=${c.uid}`;
}

/** The connection `uri` as this process uses it. */
export function thisConnection(uri: string): StorageConnection {
  const uid = currentUid();
  return isSessionUri(uri) && uid !== undefined ? { uri, uid } : { uri };
}

/** True when `a` and `b` are the same connection (same URI, and the same account for a session). */
export function sameConnection(a: StorageConnection, b: StorageConnection): boolean {
  return a.uri === b.uri && a.uid === b.uid;
}

/** The connections recorded for `dir`; throws when the record exists but cannot be read (callers then keep files). */
export async function storageConnections(dir: string): Promise<StorageConnection[]> {
  const text = await fs.readFile(path.join(dir, CONNECTIONS_FILE), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
  const out: StorageConnection[] = [];
  for (const line of text.split('\n')) {
    const [uri, extra] = line.trim().split('\t');
    if (!uri) continue;
    const uid = /^uid=(\d+)$/.exec(extra ?? '')?.[1];
    out.push(uid === undefined ? { uri } : { uri, uid: Number(uid) });
  }
  return out;
}

/** Adds `uri` (as this process uses it) to the connections that made clones in `dir`, once. */
export async function recordConnection(dir: string, uri: string): Promise<void> {
  const c = thisConnection(uri);
  if ((await storageConnections(dir)).some((k) => sameConnection(k, c))) return;
  const file = path.join(dir, CONNECTIONS_FILE);
  await fs.appendFile(file, `${lineOf(c)}\n`, { mode: 0o644 }).catch((e: Error) => {
    throw new UsageError(
      `Cannot record the connection ${uri} in ${file} (${e.message}): without it another connection's check could ` +
        `delete this connection's clone images. Make the file writable for this account, then try again.`,
    );
  });
}
