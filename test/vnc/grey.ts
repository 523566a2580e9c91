/**
 * Comparing two pictures of one screen taken a moment apart (a VNC framebuffer, a canvas, `virsh screenshot`):
 * grey levels averaged over blocks, then the mean difference and how many blocks differ. A blinking cursor or a
 * line printed in between changes a few blocks; a blank or wrong picture changes most of them.
 */
import * as zlib from 'node:zlib';

export interface GreyPicture {
  readonly width: number;
  readonly height: number;
  /** One byte a pixel, row by row. */
  readonly grey: Uint8Array;
}

/** Grey levels of RGBA (canvas ImageData) or BGRX (VNC) pixels. */
export function greyOf(width: number, height: number, pixels: Uint8Array, order: 'rgba' | 'bgrx'): GreyPicture {
  const [r, b] = order === 'rgba' ? [0, 2] : [2, 0];
  const grey = new Uint8Array(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round(0.299 * pixels[i * 4 + r]! + 0.587 * pixels[i * 4 + 1]! + 0.114 * pixels[i * 4 + b]!);
  return { width, height, grey };
}

/** A binary PPM (what `virsh screenshot` writes for QEMU's VGA) in grey. */
export function ppmGrey(buf: Buffer): GreyPicture {
  const m = /^P6\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.toString('latin1', 0, 100));
  if (!m) throw new Error(`not a binary PPM: ${JSON.stringify(buf.toString('latin1', 0, 16))}`);
  const [width, height] = [Number(m[1]), Number(m[2])];
  const data = buf.subarray(m[0].length);
  const grey = new Uint8Array(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round(0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!);
  return { width, height, grey };
}

/** An 8-bit RGB or RGBA, non-interlaced PNG (what `virsh screenshot` writes for newer QEMU) in grey. */
export function pngGrey(buf: Buffer): GreyPicture {
  if (buf.toString('latin1', 1, 4) !== 'PNG') throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs');
      channels = data[9] === 2 ? 3 : data[9] === 6 ? 4 : 0;
      if (!channels) throw new Error(`PNG colour type ${data[9]} not read here`);
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[y * stride + x - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      px[y * stride + x] = (line[x]! + pred) & 0xff;
    }
  }
  const grey = new Uint8Array(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round(0.299 * px[i * channels]! + 0.587 * px[i * channels + 1]! + 0.114 * px[i * channels + 2]!);
  return { width, height, grey };
}

/** What `virsh screenshot` wrote (PNG or PPM) in grey. */
export function screenshotGrey(buf: Buffer): GreyPicture {
  return buf.toString('latin1', 1, 4) === 'PNG' ? pngGrey(buf) : ppmGrey(buf);
}

/** Mean grey of each `block`x`block` square. */
export function blocks(p: GreyPicture, block = 8): number[] {
  const out: number[] = [];
  for (let by = 0; by + block <= p.height; by += block) {
    for (let bx = 0; bx + block <= p.width; bx += block) {
      let sum = 0;
      for (let y = by; y < by + block; y++) for (let x = bx; x < bx + block; x++) sum += p.grey[y * p.width + x]!;
      out.push(sum / (block * block));
    }
  }
  return out;
}

export interface Likeness {
  /** Mean absolute difference of the block means (0-255). */
  readonly meanDiff: number;
  /** Share of blocks whose means differ by more than 16. */
  readonly differentBlocks: number;
  /** Share of blocks of `a` that are not black (a blank screen has none). */
  readonly inkedBlocks: number;
}

/** How alike two pictures of the same size are. */
export function likeness(a: GreyPicture, b: GreyPicture, block = 8): Likeness {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}x${a.height} and ${b.width}x${b.height}`);
  const [x, y] = [blocks(a, block), blocks(b, block)];
  let sum = 0;
  let diff = 0;
  let ink = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    sum += d;
    if (d > 16) diff++;
    if (x[i]! > 4) ink++;
  }
  return { meanDiff: sum / x.length, differentBlocks: diff / x.length, inkedBlocks: ink / x.length };
}
