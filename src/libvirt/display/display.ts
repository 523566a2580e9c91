/**
 * Graphics of a clone (manual: connect; beyond it: serial console and screenshots): which display a domain has,
 * waiting for its SPICE display, the viewer command (virt-viewer or spicy) and starting it detached, the serial
 * console command, and screenshots through `virsh screenshot` (streamed by libvirt, so remote URIs work).
 * Only here are the viewers and these virsh commands spawned; arguments are arrays, never shell strings.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { attr, child, childrenNamed, scanXml } from '../../core/xmlScan';
import { CancelledError, ExternalCommandError, FileTypeError, LibvirtError, MissingDependencyError, SpiceTimeoutError } from '../../core/errors';
import { op, runOnce } from '../process';
import { pictureInfo, ppmToPng, type PictureInfo } from './png';
import type { LibvirtService } from '../api';
import { transportUri } from '../../core/connectionUri';

/** Runs one virsh command on a connection; returns stdout, throws typed errors. */
export type Virsh = (args: readonly string[], signal?: AbortSignal) => Promise<string>;

/** virsh as a one-shot process per command on `uri`. */
export function oneShotVirsh(uri: string): Virsh {
  return (args, signal) => runOnce(op('virsh', ['-q', '-c', transportUri(uri), ...args]), signal, uri);
}

/** The service's own virsh sessions when it has them (no process per command), else one-shot virsh. */
export function virshFor(service: LibvirtService): Virsh {
  const s = service as LibvirtService & { virsh?: Virsh };
  return typeof s.virsh === 'function' ? (args, signal) => s.virsh!(args, signal) : oneShotVirsh(service.config.uri);
}

/** How many clones of a SET connect works on at once (each waits for its display, polling, then opens a viewer). */
export const CONNECTS_AT_ONCE = 4;

export type ViewerName = 'virt-viewer' | 'spicy';
export const VIEWERS: readonly ViewerName[] = ['virt-viewer', 'spicy'];

/** One <graphics> device of a domain. */
export interface GraphicsDevice {
  readonly type: string;
  readonly port?: number;
  readonly listen?: string;
}

/** A program (with its arguments) to start. */
export interface CommandLine {
  readonly command: string;
  readonly args: readonly string[];
}

/** The <graphics> devices of a domain XML, in document order. */
export function graphicsOf(domainXml: string): GraphicsDevice[] {
  const root = scanXml(domainXml);
  const devices = root.name === 'domain' ? child(root, 'devices') : undefined;
  return (devices ? childrenNamed(devices, 'graphics') : []).map((g) => {
    const port = Number(attr(g, 'port')?.value);
    const listen = attr(g, 'listen')?.value;
    return {
      type: attr(g, 'type')?.value ?? '',
      ...(Number.isInteger(port) && port > 0 ? { port } : {}),
      ...(listen !== undefined ? { listen } : {}),
    };
  });
}

/** The absolute path of a program found on PATH (as the process's PATH is now), or undefined. */
export function findOnPath(program: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, program);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The viewers installed (on PATH), in the order of VIEWERS. */
export function installedViewers(): ViewerName[] {
  return VIEWERS.filter((v) => findOnPath(v) !== undefined);
}

/** The viewer to use: the preferred one when installed, else the other installed one, else undefined. */
export function chooseViewer(preferred: ViewerName, installed: readonly ViewerName[]): ViewerName | undefined {
  return installed.includes(preferred) ? preferred : installed[0];
}

/** host, port and TLS port of a `spice://host:port?tls-port=N` URI as `virsh domdisplay` prints it. */
export function parseSpiceUri(text: string): { host: string; port?: number; tlsPort?: number } {
  const m = /^spice:\/\/(\[[^\]]+\]|[^:/?]+)(?::(\d+))?(?:\?(.*))?$/.exec(text.trim());
  if (!m) throw new LibvirtError(`Unexpected SPICE display address: ${text.trim()}`);
  const query = new URLSearchParams((m[3] ?? '').replace(/;/g, '&'));
  const tls = query.get('tls-port');
  return {
    host: m[1]!.replace(/^\[|\]$/g, ''),
    ...(m[2] ? { port: Number(m[2]) } : {}),
    ...(tls ? { tlsPort: Number(tls) } : {}),
  };
}

/**
 * The viewer's command line. virt-viewer gets the libvirt connection URI and the UUID (it finds the display
 * itself and tunnels for remote URIs); spicy gets host and port(s) from `virsh domdisplay`.
 */
export function viewerCommand(viewer: ViewerName, uri: string, uuid: string, spiceUri?: string): CommandLine {
  if (viewer === 'virt-viewer') return { command: 'virt-viewer', args: ['--connect', uri, '--uuid', uuid] };
  if (!spiceUri) throw new LibvirtError('spicy needs the SPICE address of the display.');
  const s = parseSpiceUri(spiceUri);
  return {
    command: 'spicy',
    args: [
      '--host',
      s.host,
      ...(s.port !== undefined ? ['--port', String(s.port)] : []),
      ...(s.tlsPort !== undefined ? ['--secure-port', String(s.tlsPort)] : []),
    ],
  };
}

/** The host a libvirt URI connects to when it is another machine (qemu+ssh://user@host/system), else undefined. */
export function remoteHost(uri: string): string | undefined {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(uri.trim())?.[1] ?? '';
  const host = authority
    .replace(/^[^@]*@/, '')
    .replace(/:\d*$/, '')
    .replace(/^\[|\]$/g, '');
  return host && !isLoopback(host) ? host : undefined;
}

/** An address of the machine itself: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The viewer command for one display, for connections to other machines too. virt-viewer reaches the display
 * through the libvirt connection. spicy connects to the address `virsh domdisplay` prints, which, on a remote
 * connection, belongs to the remote machine: a wildcard (0.0.0.0, ::) is replaced by the remote host; a loopback
 * address there cannot be reached from here, so virt-viewer is used instead when it is installed, and otherwise a
 * MissingDependencyError says what to do.
 */
export function viewerCommandFor(
  viewer: ViewerName,
  installed: readonly ViewerName[],
  uri: string,
  uuid: string,
  spiceUri?: string,
): CommandLine {
  const remote = remoteHost(uri);
  if (viewer !== 'spicy' || !remote || !spiceUri) return viewerCommand(viewer, uri, uuid, spiceUri);
  const { host, port } = parseSpiceUri(spiceUri);
  if (host === '0.0.0.0' || host === '::') {
    const cmd = viewerCommand(viewer, uri, uuid, spiceUri);
    return { ...cmd, args: cmd.args.map((a, i) => (cmd.args[i - 1] === '--host' ? remote : a)) };
  }
  if (!isLoopback(host)) return viewerCommand(viewer, uri, uuid, spiceUri);
  if (installed.includes('virt-viewer')) return viewerCommand('virt-viewer', uri, uuid);
  const p = port ?? 5900;
  throw new MissingDependencyError(
    `Its SPICE display listens only on ${host} of ${remote}, which spicy cannot reach from this machine. Install ` +
      "virt-viewer (it reaches the display through the libvirt connection), or make the display listen on an address this machine can reach (<listen type='address' address='0.0.0.0'/> in <graphics>), " +
      `or forward the port yourself (ssh -L ${p}:${host}:${p} ${remote}) and run spicy --host localhost --port ${p}.`,
    'virt-viewer',
  );
}

/**
 * Waits until the running domain's SPICE display has an address (`virsh domdisplay --type spice`), polling up to
 * `timeoutMs`; returns the address. Throws SpiceTimeoutError (exit code 17) when it does not appear in time.
 */
export async function waitForSpice(virsh: Virsh, uuid: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (signal?.aborted) throw new CancelledError();
    try {
      const out = (await virsh(['domdisplay', '--type', 'spice', uuid], signal)).trim();
      if (out) return out;
    } catch (e) {
      if (!(e instanceof LibvirtError)) throw e;
      last = e.message;
    }
    if (Date.now() >= deadline) {
      throw new SpiceTimeoutError(
        `The SPICE display of ${uuid} was not available within ${Math.round(timeoutMs / 1000)} s${last ? ` (${last})` : ''}. ` +
          'Check that the machine is running.',
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
  }
}

/**
 * Starts a viewer detached from the editor (it outlives it). Resolves once the viewer has run for `settleMs`
 * without failing; throws ExternalCommandError with its stderr when it exits non-zero before that (no display,
 * cannot connect...), MissingDependency-like ENOENT as ExternalCommandError naming the program.
 */
export function launchViewer(cmd: CommandLine, settleMs = 1000): Promise<{ pid: number | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.command, [...cmd.args], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    const line = [cmd.command, ...cmd.args].join(' ');
    const timer = setTimeout(() => {
      child.removeAllListeners();
      child.stderr.destroy();
      child.unref();
      resolve({ pid: child.pid });
    }, settleMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ExternalCommandError(e.code === 'ENOENT' ? `${cmd.command} is not installed.` : e.message, { command: line }));
    });
    // 'close', not 'exit': it comes after stderr has been read to its end, so the message is never lost.
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ pid: child.pid });
      const first = stderr.trim().split('\n').find((l) => l.trim()) ?? `exit ${code ?? sig}`;
      reject(new ExternalCommandError(`${cmd.command} failed: ${first}`, { command: line, exitCode: code ?? undefined, stderr }));
    });
  });
}

/** `virsh console` for a domain: what the serial-console terminal runs. */
export function consoleCommand(uri: string, uuid: string): CommandLine {
  return { command: 'virsh', args: ['-c', transportUri(uri), 'console', uuid] };
}

/**
 * Takes a screenshot of a running domain's display into `pngFile` (PPM output is converted), through
 * `virsh screenshot`, which streams the image from the daemon. Throws LibvirtError when the domain is not running
 * or has no display, FileTypeError when virsh wrote something that is not an image.
 */
export async function screenshot(virsh: Virsh, uuid: string, pngFile: string, signal?: AbortSignal): Promise<PictureInfo> {
  const raw = `${pngFile}.${process.pid}.raw`;
  try {
    await virsh(['screenshot', uuid, raw], signal);
    let data: Buffer = await fs.promises.readFile(raw);
    const info = pictureInfo(data);
    if (!info) throw new FileTypeError(`virsh screenshot wrote something that is neither PNG nor PPM (${raw}).`);
    if (info.kind === 'ppm') data = ppmToPng(data);
    await fs.promises.writeFile(`${pngFile}.part`, data);
    await fs.promises.rename(`${pngFile}.part`, pngFile);
    return { ...info, kind: 'png' };
  } finally {
    await fs.promises.rm(raw, { force: true });
  }
}
