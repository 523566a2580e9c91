/**
 * The two image formats `virsh screenshot` writes: PNG (QEMU that supports it) and binary PPM (P6, older QEMU).
 * Editors show PNG, so a PPM is re-encoded here (8-bit RGB, no filtering, deflated with node's zlib).
 */
import * as zlib from 'node:zlib';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export type ImageKind = 'png' | 'ppm';

export interface PictureInfo {
  readonly kind: ImageKind;
  readonly width: number;
  readonly height: number;
}

/** Kind and size of a PNG or binary PPM, or undefined for anything else. */
export function pictureInfo(buf: Buffer): PictureInfo | undefined {
  if (buf.length >= 24 && buf.subarray(0, 8).equals(PNG_MAGIC) && buf.toString('latin1', 12, 16) === 'IHDR') {
    return { kind: 'png', width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  }
  const ppm = parsePpmHeader(buf);
  return ppm ? { kind: 'ppm', width: ppm.width, height: ppm.height } : undefined;
}

function parsePpmHeader(buf: Buffer): { width: number; height: number; maxval: number; offset: number } | undefined {
  if (buf.length < 2 || buf.toString('latin1', 0, 2) !== 'P6') return undefined;
  const values: number[] = [];
  let i = 2;
  while (values.length < 3 && i < buf.length) {
    const c = buf[i]!;
    if (c === 0x23) {
      while (i < buf.length && buf[i] !== 0x0a) i++; // comment to end of line
    } else if (c >= 0x30 && c <= 0x39) {
      let n = 0;
      while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) n = n * 10 + (buf[i++]! - 0x30);
      values.push(n);
      continue;
    }
    i++;
  }
  const [width, height, maxval] = values;
  if (width === undefined || height === undefined || maxval === undefined || maxval < 1 || maxval > 255) return undefined;
  return { width, height, maxval, offset: i + 1 }; // one whitespace byte after maxval
}

/** Re-encodes an 8-bit binary PPM as PNG. Throws on anything else. */
export function ppmToPng(ppm: Buffer): Buffer {
  const h = parsePpmHeader(ppm);
  if (!h) throw new Error('not a binary (P6) PPM with 8-bit samples');
  const stride = h.width * 3;
  const pixels = ppm.subarray(h.offset, h.offset + stride * h.height);
  if (pixels.length < stride * h.height) throw new Error('the PPM is cut short');
  const raw = Buffer.alloc((stride + 1) * h.height);
  for (let y = 0; y < h.height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    if (h.maxval === 255) row.copy(raw, y * (stride + 1) + 1);
    else for (let x = 0; x < stride; x++) raw[y * (stride + 1) + 1 + x] = Math.round((row[x]! * 255) / h.maxval);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(h.width, 0);
  ihdr.writeUInt32BE(h.height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // colour type: RGB
  return Buffer.concat([PNG_MAGIC, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}
