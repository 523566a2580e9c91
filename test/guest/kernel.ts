/**
 * Kernel helpers of the guest build: the uncompressed vmlinux out of a bzImage (as the kernel's extract-vmlinux does:
 * find a compression magic, decompress from there, keep the first result that is an ELF file), the modules a set of
 * modules needs in load order (from each module's own modinfo "depends=", since the package has no modules.dep),
 * and a newc cpio writer for the initramfs (every entry owned by root whoever builds it).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAGICS: { name: string; magic: number[]; cmd: string[] }[] = [
  { name: 'lz4', magic: [0x02, 0x21, 0x4c, 0x18], cmd: ['lz4', '-d', '-c'] },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd], cmd: ['zstd', '-d', '-c', '-q'] },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], cmd: ['xz', '-d', '-c', '-q'] },
  { name: 'gzip', magic: [0x1f, 0x8b, 0x08], cmd: ['gzip', '-d', '-c', '-q'] },
];

/** Writes the uncompressed ELF kernel found in `vmlinuz` to `out`; returns the compression used. */
export function extractVmlinux(vmlinuz: string, out: string): string {
  const data = fs.readFileSync(vmlinuz);
  for (const m of MAGICS) {
    let at = data.indexOf(Buffer.from(m.magic));
    while (at >= 0) {
      // Trailing data after the stream makes the tools exit non-zero: like extract-vmlinux, judge by the output.
      const r = spawnSync(m.cmd[0], m.cmd.slice(1), { input: data.subarray(at), maxBuffer: 1 << 30 });
      if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`${m.cmd[0]} is needed to unpack the guest kernel (${m.name}): run scripts/setup-testbed.sh as root`);
      }
      if (r.stdout && r.stdout.length > 1 << 20 && r.stdout.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
        fs.writeFileSync(out, r.stdout);
        return m.name;
      }
      at = data.indexOf(Buffer.from(m.magic), at + 1);
    }
  }
  throw new Error(`no compressed ELF kernel found in ${vmlinuz}`);
}

const modName = (file: string): string => path.basename(file, '.ko').replace(/-/g, '_');

/** The .ko files under `dir` by module name. */
function moduleIndex(dir: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (f.endsWith('.ko')) index.set(modName(f), path.join(dir, f));
  }
  return index;
}

function dependsOf(ko: string): string[] {
  const data = fs.readFileSync(ko);
  const at = data.indexOf('\0depends=');
  if (at < 0) return [];
  const end = data.indexOf(0, at + 1);
  return data.subarray(at + 9, end).toString('latin1').split(',').filter(Boolean);
}

/** The files of `wanted` and of what they depend on, each after its dependencies. */
export function modulesInOrder(modulesDir: string, wanted: string[]): string[] {
  const index = moduleIndex(modulesDir);
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const ko = index.get(name);
    if (!ko) throw new Error(`kernel module ${name} is not in ${modulesDir}`);
    for (const d of dependsOf(ko)) visit(d);
    order.push(ko);
  };
  for (const w of wanted) visit(w);
  return order;
}

export interface CpioEntry {
  name: string;
  mode: number; // full st_mode (type and permissions)
  data?: Buffer; // file contents or link target
}

/** A newc ("070701") archive of `entries`, owned by root. */
export function cpioNewc(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  let ino = 1;
  const add = (name: string, mode: number, data: Buffer): void => {
    const nlink = (mode & 0o170000) === 0o040000 ? 2 : 1;
    const fields = [ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    const header = Buffer.from('070701' + fields.map(hex).join(''), 'latin1');
    const nameBuf = Buffer.from(name + '\0', 'latin1');
    parts.push(header, nameBuf, pad4(header.length + nameBuf.length), data, pad4(data.length));
  };
  for (const e of entries) add(e.name, e.mode, e.data ?? Buffer.alloc(0));
  add('TRAILER!!!', 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}
