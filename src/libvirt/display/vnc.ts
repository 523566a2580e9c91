/**
 * Where a running clone's VNC display is: read from its live domain XML (with secrets, so a display password is
 * known to the extension host and nobody else). QEMU's VNC server on a TCP address (a wildcard is reached on
 * 127.0.0.1) or on a unix socket. Pure, except `vncDisplay`, which asks the service for the XML.
 */
import { LibvirtError } from '../../core/errors';
import { attr, child, childrenNamed, scanXml, type XmlElement } from '../../core/xmlScan';
import type { LibvirtService } from '../api';
import { remoteHost } from './display';

/** How to reach a VNC server from this machine. */
export type VncAddress = { readonly kind: 'tcp'; readonly host: string; readonly port: number } | { readonly kind: 'unix'; readonly path: string };

export interface VncDisplay {
  readonly address: VncAddress;
  /** The display's password (`passwd` of <graphics>), when it has one. */
  readonly password?: string;
}

/** What the domain's graphics are instead of a reachable VNC display. */
export type NoVncReason =
  | { readonly kind: 'no-graphics' }
  /** Graphics of other types only (SPICE...). */
  | { readonly kind: 'not-vnc'; readonly types: readonly string[] }
  /** A VNC display without an address yet (the domain is not running) or without any listener. */
  | { readonly kind: 'no-address' };

/** `host:port` or the socket path, as people give them to a VNC viewer. */
export function vncAddressText(a: VncAddress): string {
  return a.kind === 'unix' ? a.path : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

function tcpHost(g: XmlElement): string {
  const listen = childrenNamed(g, 'listen').find((l) => attr(l, 'type')?.value === 'address');
  const host = attr(listen, 'address')?.value ?? attr(g, 'listen')?.value ?? '127.0.0.1';
  return WILDCARDS.has(host) ? '127.0.0.1' : host;
}

/** The first VNC display of a live domain XML, or why there is none. */
export function vncDisplayOf(liveXml: string): VncDisplay | NoVncReason {
  const root = scanXml(liveXml);
  const devices = root.name === 'domain' ? child(root, 'devices') : undefined;
  const graphics = devices ? childrenNamed(devices, 'graphics') : [];
  if (graphics.length === 0) return { kind: 'no-graphics' };
  const g = graphics.find((x) => attr(x, 'type')?.value === 'vnc');
  if (!g) return { kind: 'not-vnc', types: graphics.map((x) => attr(x, 'type')?.value ?? '') };
  const password = attr(g, 'passwd')?.value;
  const withPassword = password ? { password } : {};
  const socketListen = childrenNamed(g, 'listen').find((l) => attr(l, 'type')?.value === 'socket');
  const socket = attr(g, 'socket')?.value ?? attr(socketListen, 'socket')?.value;
  if (socket) return { address: { kind: 'unix', path: socket }, ...withPassword };
  const port = Number(attr(g, 'port')?.value);
  if (!Number.isInteger(port) || port <= 0) return { kind: 'no-address' };
  return { address: { kind: 'tcp', host: tcpHost(g), port }, ...withPassword };
}

/** Whether `vncDisplayOf` found a display. */
export function isVncDisplay(d: VncDisplay | NoVncReason): d is VncDisplay {
  return 'address' in d;
}

/**
 * The VNC display of a running clone, read from its live XML; throws LibvirtError saying why when it has none, or
 * when the connection is to another machine (its loopback address and sockets are not reachable from here).
 */
export async function vncDisplay(service: LibvirtService, uuid: string, signal?: AbortSignal): Promise<VncDisplay> {
  const remote = remoteHost(service.config.uri);
  if (remote) throw new LibvirtError(`The console reaches VNC displays of this machine only; ${remote} is another machine. Use Show Screen, or an SSH tunnel to its display.`);
  const d = vncDisplayOf(await service.domainXml(uuid, { inactive: false, ...(signal ? { signal } : {}) }));
  if (isVncDisplay(d)) return d;
  throw new LibvirtError(noVncText(d));
}

/** Why there is no VNC display, in words that say what to do. */
export function noVncText(why: NoVncReason): string {
  switch (why.kind) {
    case 'no-graphics':
      return "it has no graphics device: add <graphics type='vnc' listen='127.0.0.1'/> to its template";
    case 'not-vnc':
      return `its graphics are ${why.types.join(', ')}, not VNC: add a VNC display on 127.0.0.1 to its template`;
    case 'no-address':
      return 'its VNC display has no address: is it running?';
  }
}
