/**
 * The console's byte channel: the extension host opens the VNC connection to QEMU itself (TCP on this machine, or a
 * unix socket) and answers its security handshake (none, or VNC authentication with the password from the domain
 * XML), then offers the page a server that asks for no authentication ("None"), so no password ever reaches the
 * page. After the page's security choice every byte is relayed unchanged, both ways: ClientInit, ServerInit and the
 * whole RFB session are QEMU's and the page's (noVNC's). Nothing listens: the page's bytes arrive through
 * `fromPage`, the server's leave through the `toPage` callback.
 */
import * as net from 'node:net';
import { CancelledError, LibvirtError } from '../../core/errors';
import { vncAddressText, type VncDisplay } from './vnc';
import { vncAuthResponse } from './vncAuth';

const VERSION = Buffer.from('RFB 003.008\n', 'latin1');
const SEC_NONE = 1;
const SEC_VNC = 2;

/** Reads exact byte counts from a socket during the handshake. */
class HandshakeReader {
  private buf = Buffer.alloc(0);
  private want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failed: Error | undefined;
  private readonly onData = (d: Buffer): void => {
    this.buf = Buffer.concat([this.buf, d]);
    this.pump();
  };
  private readonly onEnd = (e?: Error): void => {
    this.failed = new LibvirtError(`The VNC server closed the connection during its handshake${e ? `: ${e.message}` : ''}.`);
    this.want?.reject(this.failed);
    this.want = undefined;
  };

  constructor(private readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('close', () => this.onEnd());
    socket.on('error', this.onEnd);
  }

  read(n: number): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.want = { n, resolve, reject };
      this.pump();
    });
  }

  private pump(): void {
    if (!this.want || this.buf.length < this.want.n) return;
    const { n, resolve } = this.want;
    this.want = undefined;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    resolve(out);
  }

  /** Stops reading; the bytes read but not asked for. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onEnd);
    return this.buf;
  }
}

async function reason(r: HandshakeReader): Promise<string> {
  const len = (await r.read(4)).readUInt32BE(0);
  return (await r.read(Math.min(len, 4096))).toString('utf8');
}

/** The server's side of the handshake, up to its SecurityResult "OK". */
async function serverHandshake(r: HandshakeReader, socket: net.Socket, password: string | undefined): Promise<void> {
  const version = (await r.read(12)).toString('latin1');
  if (!/^RFB 003\.00[78]\n$/.test(version)) throw new LibvirtError(`The VNC server speaks ${JSON.stringify(version.trim())}, not RFB 3.7 or 3.8.`);
  socket.write(version);
  const count = (await r.read(1))[0]!;
  if (count === 0) throw new LibvirtError(`The VNC server refused the connection: ${await reason(r)}`);
  const types = [...(await r.read(count))];
  if (types.includes(SEC_NONE)) {
    socket.write(Buffer.from([SEC_NONE]));
  } else if (types.includes(SEC_VNC)) {
    if (password === undefined) throw new LibvirtError('The VNC display asks for a password, and its domain XML has none (passwd of <graphics>).');
    socket.write(Buffer.from([SEC_VNC]));
    socket.write(vncAuthResponse(await r.read(16), password));
  } else {
    throw new LibvirtError(`The VNC display offers only security types ${types.join(', ')} (TLS or SASL), which the console does not speak: use none or a password, on 127.0.0.1 or a socket.`);
  }
  if (version === 'RFB 003.007\n' && types.includes(SEC_NONE)) return; // 3.7 sends no SecurityResult for None
  const result = (await r.read(4)).readUInt32BE(0);
  if (result !== 0) throw new LibvirtError(`The VNC server refused the authentication${version.endsWith('8\n') ? `: ${await reason(r)}` : ''}.`);
}

/** One relayed connection: the page's bytes in through `fromPage`, the server's out through `toPage`. */
export class VncRelay {
  private pageState: 'version' | 'security' | 'relay' = 'version';
  private pending = Buffer.alloc(0);
  /** Server bytes that came before the page finished its handshake (QEMU sends none before ClientInit). */
  private early = Buffer.alloc(0);
  private closed = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly toPage: (bytes: Uint8Array) => void,
  ) {}

  /**
   * Connects to the display and completes its handshake; then sends the page the start of a handshake that asks
   * for no authentication. `onClose` is called once when the connection ends (the guest stopped...) with why.
   */
  static async open(
    display: VncDisplay,
    toPage: (bytes: Uint8Array) => void,
    onClose: (why: string | undefined) => void,
    signal?: AbortSignal,
  ): Promise<VncRelay> {
    const a = display.address;
    const socket = a.kind === 'unix' ? net.connect(a.path) : net.connect(a.port, a.host);
    socket.setNoDelay(true);
    const abort = (): void => void socket.destroy(new CancelledError());
    signal?.addEventListener('abort', abort, { once: true });
    const reader = new HandshakeReader(socket);
    try {
      await serverHandshake(reader, socket, display.password);
    } catch (e) {
      socket.destroy();
      if (signal?.aborted) throw new CancelledError();
      const err = e as NodeJS.ErrnoException;
      if (err.code) throw new LibvirtError(`Cannot reach the VNC display at ${vncAddressText(a)}: ${err.message}`);
      throw e;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    const relay = new VncRelay(socket, toPage);
    const early = reader.detach();
    socket.on('data', (d: Buffer) => (relay.pageState === 'relay' ? relay.toPage(d) : (relay.early = Buffer.concat([relay.early, d]))));
    socket.on('error', () => undefined); // 'close' follows and reports
    socket.on('close', (hadError) => {
      relay.closed = true;
      onClose(hadError ? 'the connection to the VNC server failed' : 'the VNC server closed the connection');
    });
    relay.early = Buffer.from(early);
    toPage(VERSION);
    return relay;
  }

  /** Whether the connection to the server has ended. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes from the page (noVNC). */
  fromPage(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.pageState === 'relay') {
      this.socket.write(bytes);
      return;
    }
    let buf = Buffer.concat([this.pending, bytes]);
    if (this.pageState === 'version') {
      if (buf.length < 12) return void (this.pending = buf);
      this.pageState = 'security';
      this.toPage(Buffer.from([1, SEC_NONE]));
      buf = buf.subarray(12);
    }
    if (buf.length < 1) return void (this.pending = Buffer.alloc(0));
    if (buf[0] !== SEC_NONE) return this.close();
    this.pageState = 'relay';
    this.toPage(Buffer.from([0, 0, 0, 0]));
    if (this.early.length) this.toPage(this.early);
    this.pending = this.early = Buffer.alloc(0);
    if (buf.length > 1) this.socket.write(buf.subarray(1));
  }

  /** Ends the connection (the tab closed). */
  close(): void {
    this.socket.destroy();
  }
}
