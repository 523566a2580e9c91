/**
 * copy-template NAME NEWNAME --to URI: a template of this machine copied to another libvirt host. Each image is
 * uploaded into a directory pool there (`vol-upload --sparse`, one virsh process that a cancel ends), with progress
 * from the volume's allocation; the template written for the target host names the uploaded volumes' paths. A
 * volume is made read-only (mode 0444) when the host's daemon can still write it (a root daemon); a daemon of an
 * unprivileged account cannot write a 0444 file, so there the volume keeps the account's mode and the result says
 * so. A failure or cancel deletes the volumes already made: nothing half-done is left.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { transportUri } from '../../core/connectionUri';
import { CancelledError, UsageError } from '../../core/errors';
import { assertName } from '../../core/names';
import { encodeXml } from '../../core/xmlScan';
import { op, runOnce } from '../process';
import { backingChain, imageStoreOf, parseVolumeXml, poolVolumeStore } from '../storage';
import { SessionPool } from '../virsh';
import { checkedTemplate, requireFree, requireTemplate, type TemplateDeps, type TemplateResult } from './templateOps';
import { writeTemplate } from './templateFiles';

export interface HostCopyOptions {
  /** The directory pool on the target host (default: "default"). */
  readonly pool?: string;
  readonly signal?: AbortSignal;
  /** Bytes uploaded so far of all images, and their total. */
  onProgress?(done: number, total: number): void;
}

function volumeXml(name: string, size: number, readOnly: boolean): string {
  const perm = readOnly ? '<permissions><mode>0444</mode></permissions>' : '';
  return `<volume><name>${encodeXml(name)}</name><capacity unit='bytes'>${size}</capacity><allocation unit='bytes'>0</allocation><target><format type='raw'/>${perm}</target></volume>`;
}

/** Copies template `from` of this machine to the host `uri` as template `to`. */
export async function copyTemplateToHost(deps: TemplateDeps, from: string, to: string, uri: string, o: HostCopyOptions = {}): Promise<TemplateResult> {
  assertName(from);
  assertName(to);
  if (imageStoreOf(deps.svc).viaPools)
    throw new UsageError(`copy-template --to copies a template of this machine; ${deps.svc.config.uri} reaches another machine: run it where the template's images are.`);
  return deps.svc.withTemplateLock([from, to], () => copyLocked(deps, from, to, uri, o), o.signal);
}

async function copyLocked(deps: TemplateDeps, from: string, to: string, uri: string, o: HostCopyOptions): Promise<TemplateResult> {
  const { svc } = deps;
  const { signal } = o;
  await requireTemplate(svc, from);
  await requireFree(svc, to);
  const doc = await checkedTemplate(deps, await svc.templateXml(from));
  const disks = doc.disks();
  const sizes: { target: string; source: string; size: number; used: number }[] = [];
  for (const d of disks) {
    const chain = await backingChain(d.source, signal);
    if (chain.length > 1) throw new UsageError(`Template ${from}'s image ${d.source} has a backing image: commit or flatten it first (only standalone images are copied to a host).`);
    const st = await fs.stat(d.source);
    sizes.push({ target: d.target, source: d.source, size: st.size, used: Math.min(st.size, st.blocks * 512) });
  }
  const sessions = new SessionPool(uri, 2);
  const virsh = (args: readonly string[], s?: AbortSignal) => sessions.run(args, s);
  const made: string[] = [];
  const messages: string[] = [];
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'q2c-hostcopy-'));
  try {
    const pool = (await poolVolumeStore(virsh, uri).locate(o.pool ?? 'default', signal)).pool!;
    const total = sizes.reduce((a, s) => a + s.used, 0);
    let before = 0;
    for (const s of sizes) {
      const name = `${to}-${s.target}.qcow2`;
      const volPath = await upload(virsh, uri, pool, name, s, tmp, made, (n) => o.onProgress?.(before + n, total), signal, messages);
      before += s.used;
      doc.setDiskSource(s.target, volPath);
    }
    doc.name = to;
    doc.forgetIdentity();
    const store = poolVolumeStore(virsh, uri);
    await writeTemplate(svc.config.templateDir, to, doc.toString(), (files) => store.makeReadOnly(files));
    return { name: to, messages: [`Template ${to} is on ${uri}, its images in pool ${pool}: ${sizes.map((s) => `${to}-${s.target}.qcow2`).join(', ')}.`, ...messages] };
  } catch (e) {
    for (const v of made) await virsh(['vol-delete', '--', v]).catch(() => undefined);
    throw signal?.aborted ? new CancelledError(`Cancelled: copying template ${from} to ${uri} left nothing behind.`) : e;
  } finally {
    sessions.dispose();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** One image into a new volume `name` of `pool`; its path on the host. */
async function upload(
  virsh: (args: readonly string[], s?: AbortSignal) => Promise<string>,
  uri: string,
  pool: string,
  name: string,
  s: { source: string; size: number; used: number },
  tmp: string,
  made: string[],
  progress: (n: number) => void,
  signal: AbortSignal | undefined,
  messages: string[],
): Promise<string> {
  const send = () => runOnce(op('virsh', ['-q', '-c', transportUri(uri), 'vol-upload', '--sparse', '--pool', pool, '--', name, s.source]), signal, uri);
  const create = async (readOnly: boolean) => {
    const xml = path.join(tmp, `${name}.xml`);
    await fs.writeFile(xml, volumeXml(name, s.size, readOnly));
    await virsh(['vol-create', '--pool', pool, '--file', xml], signal);
    const p = (await virsh(['vol-path', '--pool', pool, '--', name], signal)).trim();
    made.push(p);
    return p;
  };
  let volPath = await create(true);
  const timer = setInterval(() => {
    void virsh(['vol-dumpxml', '--', volPath]).then((x) => progress(Math.min(parseVolumeXml(x).allocation, s.used)), () => undefined);
  }, 1000);
  try {
    await send().catch(async (e: Error) => {
      if (!/Permission denied/.test(e.message) || signal?.aborted) throw e;
      // A daemon of an unprivileged account cannot write its own 0444 file: made writable for it, and said so.
      await virsh(['vol-delete', '--', volPath]);
      made.pop();
      volPath = await create(false);
      messages.push(`${volPath} could not be made read-only through libvirt (its daemon runs as an unprivileged account): qq2clone never writes it; make it read-only on the host (chmod a-w) so that nothing else does.`);
      await send();
    });
  } finally {
    clearInterval(timer);
  }
  progress(s.used);
  // Its format is read from its bytes now (it was made as raw, to receive them).
  await virsh(['pool-refresh', '--', pool], signal);
  const fmt = parseVolumeXml(await virsh(['vol-dumpxml', '--', volPath], signal)).format;
  if (fmt !== 'qcow2') throw new UsageError(`${s.source} arrived on ${uri} as ${fmt ?? 'an unknown format'}, not qcow2: only qcow2 template images are copied.`);
  return volPath;
}
