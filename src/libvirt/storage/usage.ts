/**
 * Which files are in use, for every decision to delete one (unused image generations, check's fixes): every disk
 * of every libvirt domain (ours or not; its persistent and, when it runs, its live definition), every file our
 * clones' bookkeeping names, every template's disks, and every file in their backing chains.
 * Every connection recorded as having made clones in the storage directory (connections.ts) is read too: a clone of
 * another connection uses files of the same storage.
 * It fails closed: whatever cannot be read (a domain's definition, an image's header, a template file, another
 * connection) is named in `unknown`, and callers then delete nothing. A domain that vanished while it was read
 * uses nothing; one defined while it was read is read too (the listing is repeated until it is stable).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CancelledError } from '../../core/errors';
import type { LibvirtService } from '../api';
import { parseLines } from '../virsh';
import { forEachBounded } from '../../core/limit';
import { virshVia } from '../serviceCore';
import { virshOn } from '../process';
import { sameConnection, storageConnections, thisConnection, type StorageConnection } from './connections';
import { imageStoreOf, storageDir } from './storageDir';
import { overlayDisks, parseDomain } from '../domain';
import type { ImageInfo } from './imageInfo';

export interface DomainFiles {
  /** Its disk files (device "disk"), from its persistent definition. */
  readonly disks: readonly string[];
  /** Its file disks attached writable (not read-only, not shareable), persistent or live. */
  readonly writable: readonly string[];
}

export type { ImageInfo };

export interface Usage {
  /** Every file in use, normalised (path.resolve). */
  readonly used: ReadonlySet<string>;
  /** Text of template files that cannot be parsed: any file they mention counts as used. */
  readonly unparsed: readonly string[];
  /** Why some files could not be read: when not empty, nothing may be deleted. */
  readonly unknown: readonly string[];
  /** Each image read, by normalised path. */
  readonly images: ReadonlyMap<string, ImageInfo>;
  /** Each domain read, by UUID. */
  readonly domains: ReadonlyMap<string, DomainFiles>;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).trim().split('\n')[0] ?? '';

function rethrowCancel(e: unknown, signal?: AbortSignal): void {
  if (e instanceof CancelledError) throw e;
  if (signal?.aborted) throw new CancelledError();
}

type Virsh = (args: readonly string[], signal?: AbortSignal) => Promise<string>;

class Scanner {
  readonly used = new Set<string>();
  readonly unparsed: string[] = [];
  readonly unknown: string[] = [];
  readonly images = new Map<string, ImageInfo>();
  readonly domains = new Map<string, DomainFiles>();
  private readonly pending = new Map<string, Promise<ImageInfo>>();

  constructor(
    private readonly signal: AbortSignal | undefined,
    /** How an image is read (the connection's image store). */
    private readonly read: (file: string, signal?: AbortSignal) => Promise<ImageInfo>,
  ) {}

  private info(file: string): Promise<ImageInfo> {
    let p = this.pending.get(file);
    if (!p) {
      p = this.read(file, this.signal).then((i) => {
        this.images.set(file, i);
        if (i.error) this.unknown.push(i.error);
        return i;
      });
      this.pending.set(file, p);
    }
    return p;
  }

  /** Marks `file` and its backing chain (and external data files) as used. */
  async chain(file: string): Promise<void> {
    let f: string | undefined = path.resolve(file);
    for (let depth = 0; f; depth++) {
      if (depth === 64) {
        this.unknown.push(`the backing chain of ${file} is longer than 64 images`);
        return;
      }
      const known = this.pending.has(f);
      this.used.add(f);
      const i: ImageInfo = await this.info(f);
      if (known) return; // the rest of this chain is (being) walked already
      if (i.dataFile) this.used.add(i.dataFile);
      f = i.backing;
    }
  }

  /** A domain's files; false when it could not be read (it may have vanished). */
  async domain(virsh: Virsh, uuid: string, running: boolean): Promise<string | undefined> {
    const xmls: string[] = [];
    try {
      xmls.push(await virsh(['dumpxml', '--inactive', uuid], this.signal));
      if (running) xmls.push(await virsh(['dumpxml', uuid], this.signal));
    } catch (e) {
      rethrowCancel(e, this.signal);
      // A running domain that stopped meanwhile has no live definition apart from its persistent one.
      if (!xmls.length) return `domain ${uuid}: ${message(e)}`;
    }
    const files: string[] = [];
    const writable = new Set<string>();
    let disks: string[] = [];
    for (const [i, xml] of xmls.entries()) {
      let d: ReturnType<typeof parseDomain>;
      try {
        d = parseDomain(xml);
      } catch (e) {
        return `domain ${uuid}: its definition cannot be parsed (${message(e)})`;
      }
      for (const k of d.disks) if (k.source) files.push(k.source);
      files.push(...(d.meta?.overlays ?? []));
      for (const k of overlayDisks(d)) writable.add(k.source!);
      if (i === 0) disks = d.disks.filter((k) => k.device === 'disk' && k.source).map((k) => k.source!);
    }
    this.domains.set(uuid, { disks, writable: [...writable] });
    await Promise.all(files.map((f) => this.chain(f)));
    return undefined;
  }

  /** Every domain of one connection; `where` names it in what is said when it cannot be read. */
  async allDomains(virsh: Virsh, where = ''): Promise<void> {
    const failed = new Map<string, string>();
    let all: string[] = [];
    for (let round = 0; ; round++) {
      const [listed, active] = await Promise.all([virsh(['list', '--all', '--uuid'], this.signal), virsh(['list', '--uuid'], this.signal)]);
      all = parseLines(listed);
      const running = new Set(parseLines(active));
      const fresh = all.filter((u) => !this.domains.has(u) && !failed.has(u));
      if (!fresh.length) break;
      if (round === 5) {
        this.unknown.push(`domains keep being defined${where} while qq2clone reads them (${fresh.length} not read)`);
        break;
      }
      // A few domains at a time: a connection with hundreds of domains must not start a read for each at once.
      await forEachBounded(fresh, USAGE_READS, async (u) => {
        const why = await this.domain(virsh, u, running.has(u));
        if (why) failed.set(u, why);
      });
    }
    // A domain that could not be read but is still listed may use anything.
    const still = new Set(all);
    for (const [u, why] of failed) if (still.has(u)) this.unknown.push(`${why}${where}`);
  }

  /**
   * The other connections that made clones in the storage directory `dir`. One that cannot be read (its daemon
   * is down, it is another account's session) makes everything unknown: its clones may use any file there.
   */
  async otherConnections(current: string, dir: string): Promise<void> {
    let recorded: StorageConnection[];
    try {
      recorded = await storageConnections(dir);
    } catch (e) {
      this.unknown.push(`the list of connections that made clones in ${dir} cannot be read: ${message(e)}`);
      return;
    }
    const me = thisConnection(current);
    const uid = process.getuid?.();
    for (const c of recorded.filter((k) => !sameConnection(k, me))) {
      const where = `, on the connection ${c.uri}, which made clones in ${dir}`;
      if (c.uid !== undefined && c.uid !== uid) {
        this.unknown.push(`the connection ${c.uri} of the account with uid ${c.uid} made clones in ${dir} and cannot be read from this account`);
        continue;
      }
      try {
        await this.allDomains(async (args, signal) => (await virshOn(c.uri, args, signal)).stdout, where);
      } catch (e) {
        rethrowCancel(e, this.signal);
        this.unknown.push(`the connection ${c.uri}, which made clones in ${dir}, cannot be read (${message(e)})`);
      }
    }
  }

  async templates(dir: string): Promise<void> {
    const entries = await fs.readdir(dir).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : e));
    if (entries instanceof Error) {
      this.unknown.push(`the template directory ${dir} cannot be read: ${entries.message}`);
      return;
    }
    await Promise.all(
      entries
        .filter((f) => f.endsWith('.xml') && !f.startsWith('.'))
        .map(async (f) => {
          const file = path.join(dir, f);
          const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => e);
          if (text instanceof Error) {
            if (text.code !== 'ENOENT') this.unknown.push(`template file ${file} cannot be read: ${text.message}`);
            return;
          }
          let sources: string[];
          try {
            sources = parseDomain(text).disks.flatMap((k) => (k.source ? [k.source] : []));
          } catch {
            this.unparsed.push(text);
            return;
          }
          await Promise.all(sources.map((s) => this.chain(s)));
        }),
    );
  }
}

/** Reads what every domain and every template uses (see the module comment). Throws only when cancelled. */
export async function scanUsage(svc: LibvirtService, signal?: AbortSignal): Promise<Usage> {
  const store = imageStoreOf(svc);
  const s = new Scanner(signal, (f, sg) => store.imageInfo(f, sg));
  const others = async (): Promise<void> => {
    // A pool belongs to its host: what uses its volumes is on this connection (recorded connections are local files).
    if (store.viaPools) return;
    const dir = await storageDir(svc, signal).catch((e: unknown) => {
      rethrowCancel(e, signal);
      s.unknown.push(`the storage ${svc.config.storage} cannot be read: ${message(e)}`);
      return undefined;
    });
    if (dir) await s.otherConnections(svc.config.uri, dir);
  };
  await Promise.all([s.allDomains((args, sg) => virshVia(svc, args, sg)), s.templates(svc.config.templateDir), others()]);
  return { used: s.used, unparsed: s.unparsed, unknown: s.unknown, images: s.images, domains: s.domains };
}

/** True when `file` is in use: in the set, or mentioned by a template file that cannot be parsed. */
export function inUse(u: Usage, file: string): boolean {
  const f = path.resolve(file);
  return u.used.has(f) || u.unparsed.some((t) => t.includes(path.basename(f)));
}

/** Why nothing may be deleted, in one sentence; undefined when everything could be read. */
export function whyUndecided(u: Usage): string | undefined {
  if (!u.unknown.length) return undefined;
  const more = u.unknown.length > 1 ? ` (and ${u.unknown.length - 1} more)` : '';
  return `qq2clone cannot tell whether anything still uses it: ${u.unknown[0]}${more}`;
}

/** How many domains the usage scan reads at once. */
export const USAGE_READS = 8;

/** How long a file in our storage counts as new: it may belong to a clone or an image being made right now. */
export const GRACE_MS = 2 * 60_000;

/**
 * True when the file was written too recently to be called a left-over: clones' overlays exist a moment before
 * their domain is defined, a new image generation a moment before its template names it. A hidden file is a
 * clone batch's prototype overlay, which lives as long as the batch: ten minutes.
 */
export function tooYoung(file: string, st: { mtimeMs: number }, now = Date.now()): boolean {
  return now - st.mtimeMs < graceFor(file);
}

/** How long `file` counts as new (see tooYoung). */
export function graceFor(file: string): number {
  return path.basename(file).startsWith('.') ? 10 * 60_000 : GRACE_MS;
}
