/**
 * A minimal RFB 3.8 client for tests and benches: no authentication, 32-bit pixels, Raw encoding only. It speaks
 * to a VNC server directly (a TCP socket) or through the console's relay (its `fromPage`/`toPage` ends), so both
 * paths are measured and checked with the same code.
 */
import * as net from 'node:net';

/** Bytes both ways: `send` to the server, `onData` from it. */
export interface ByteLink {
  send(bytes: Uint8Array): void;
  onData(cb: (bytes: Buffer) => void): void;
}

export function socketLink(socket: net.Socket): ByteLink {
  socket.setNoDelay(true);
  return { send: (b) => void socket.write(b), onData: (cb) => void socket.on('data', cb) };
}

/** Exact reads over a stream of chunks. */
class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private want: { n: number; resolve: (b: Buffer) => void } | undefined;

  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
    this.pump();
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve) => {
      this.want = { n, resolve };
      this.pump();
    });
  }

  private pump(): void {
    if (!this.want || this.length < this.want.n) return;
    const { n, resolve } = this.want;
    this.want = undefined;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    resolve(out);
  }
}

export interface FramebufferUpdate {
  readonly rects: number;
  readonly bytes: number;
  readonly at: number;
}

export class RfbClient {
  width = 0;
  height = 0;
  name = '';
  /** The framebuffer: 4 bytes a pixel, B G R X (32 bpp little-endian, red at bit 16). */
  fb = Buffer.alloc(0);
  private readonly reader = new ByteReader();
  private waiters: ((u: FramebufferUpdate) => void)[] = [];

  private constructor(private readonly link: ByteLink) {
    link.onData((b) => this.reader.push(b));
  }

  /** Handshake (security None), ClientInit (shared), ServerInit; then 32-bit pixels and Raw encoding. */
  static async connect(link: ByteLink): Promise<RfbClient> {
    const c = new RfbClient(link);
    const r = c.reader;
    const version = (await r.read(12)).toString('latin1');
    if (!version.startsWith('RFB 003.')) throw new Error(`not RFB: ${JSON.stringify(version)}`);
    link.send(Buffer.from('RFB 003.008\n', 'latin1'));
    const types = [...(await r.read((await r.read(1))[0]!))];
    if (!types.includes(1)) throw new Error(`security types ${types.join(',')} offer no None`);
    link.send(Buffer.from([1]));
    const result = (await r.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error(`security result ${result}`);
    link.send(Buffer.from([1])); // ClientInit: shared
    const init = await r.read(24);
    c.width = init.readUInt16BE(0);
    c.height = init.readUInt16BE(2);
    c.name = (await r.read(init.readUInt32BE(20))).toString('utf8');
    c.fb = Buffer.alloc(c.width * c.height * 4);
    const pf = Buffer.alloc(20);
    pf[0] = 0; // SetPixelFormat
    Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0]).copy(pf, 4);
    pf.writeUInt16BE(255, 8);
    pf.writeUInt16BE(255, 10);
    pf.writeUInt16BE(255, 12);
    link.send(pf);
    link.send(Buffer.from([2, 0, 0, 1, 0, 0, 0, 0])); // SetEncodings: Raw
    void c.loop();
    return c;
  }

  /** FramebufferUpdateRequest for the whole screen. */
  requestUpdate(incremental: boolean): void {
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(this.width, 6);
    b.writeUInt16BE(this.height, 8);
    this.link.send(b);
  }

  /** Resolves when the next FramebufferUpdate has been applied. */
  nextUpdate(): Promise<FramebufferUpdate> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  key(keysym: number, down: boolean): void {
    const b = Buffer.alloc(8);
    b[0] = 4;
    b[1] = down ? 1 : 0;
    b.writeUInt32BE(keysym, 4);
    this.link.send(b);
  }

  /** The grey level (0-255) of each pixel, row by row. */
  grey(): Uint8Array {
    const g = new Uint8Array(this.width * this.height);
    for (let i = 0; i < g.length; i++) g[i] = Math.round(0.299 * this.fb[i * 4 + 2]! + 0.587 * this.fb[i * 4 + 1]! + 0.114 * this.fb[i * 4]!);
    return g;
  }

  private async loop(): Promise<void> {
    const r = this.reader;
    for (;;) {
      const type = (await r.read(1))[0]!;
      if (type === 0) {
        const rects = (await r.read(3)).readUInt16BE(1);
        let bytes = 0;
        for (let i = 0; i < rects; i++) {
          const h = await r.read(12);
          const [x, y, w, hh, enc] = [h.readUInt16BE(0), h.readUInt16BE(2), h.readUInt16BE(4), h.readUInt16BE(6), h.readInt32BE(8)];
          if (enc !== 0) throw new Error(`unexpected encoding ${enc}`);
          const data = await r.read(w * hh * 4);
          bytes += data.length;
          for (let row = 0; row < hh; row++) data.copy(this.fb, ((y + row) * this.width + x) * 4, row * w * 4, (row + 1) * w * 4);
        }
        const u = { rects, bytes, at: performance.now() };
        for (const w of this.waiters.splice(0)) w(u);
      } else if (type === 1) {
        const n = (await r.read(5)).readUInt16BE(3);
        await r.read(n * 6);
      } else if (type === 2) {
        // bell
      } else if (type === 3) {
        await r.read((await r.read(7)).readUInt32BE(3));
      } else {
        throw new Error(`unexpected server message ${type}`);
      }
    }
  }
}
