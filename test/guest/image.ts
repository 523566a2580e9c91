/**
 * The cached guest image: built once per recipe under /var/tmp/qq2clone-guest/<hash of the recipe files>/ (the qemu
 * user must read it, and cannot enter /root), rebuilt only when recipe.ts, build.ts or kernel.ts change. Builds go
 * to a scratch directory renamed into place, so concurrent test processes never see half an image.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildGuest } from './build';

export interface GuestImage {
  /** The cache directory of this recipe. */
  dir: string;
  /** Uncompressed kernel (direct kernel boot, the quickest under TCG). */
  kernel: string;
  /**
   * The compressed kernel with its real-mode setup, for guests with a display: it fills in the screen the VGA text
   * console draws on, which the uncompressed kernel's PVH boot leaves empty (the screen would keep the BIOS text).
   */
  kernelWithSetup: string;
  initrd: string;
  /** qcow2 base of the root (read-only file): tests and templates use overlays or copies of it, never it. */
  rootImage: string;
  /** Private key accepted by root in the guest (ssh -i). */
  clientKey: string;
  /** The guest's fixed SSH host key, one "ssh-ed25519 AAAA..." line. */
  hostKeyPub: string;
  /** Seconds the build took (0 when it was already cached). */
  buildSeconds: number;
}

export const CACHE_ROOT = process.env.QQ2CLONE_GUEST_CACHE ?? '/var/tmp/qq2clone-guest';
const RECIPE_FILES = ['recipe.ts', 'build.ts', 'kernel.ts'];

/** The first 16 hex digits of the hash of the recipe files. */
export function recipeHash(): string {
  const h = createHash('sha256');
  for (const f of RECIPE_FILES) h.update(fs.readFileSync(path.join(__dirname, f)));
  return h.digest('hex').slice(0, 16);
}

function imageIn(dir: string, buildSeconds: number): GuestImage {
  return {
    dir,
    kernel: path.join(dir, 'vmlinux'),
    kernelWithSetup: path.join(dir, 'vmlinuz'),
    initrd: path.join(dir, 'initrd.gz'),
    rootImage: path.join(dir, 'root.qcow2'),
    clientKey: path.join(dir, 'client_key'),
    hostKeyPub: fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8').trim(),
    buildSeconds,
  };
}

/**
 * The guest image of the current recipe, built first if it is not cached (synchronous: about 10 s to build,
 * a few milliseconds when cached). Throws with what to do when a build tool or the package lists are missing.
 * `cacheRoot` is for benchmarks that time a fresh build.
 */
export function ensureGuest(cacheRoot = CACHE_ROOT): GuestImage {
  const dir = path.join(cacheRoot, recipeHash());
  if (fs.existsSync(path.join(dir, 'recipe.json'))) return imageIn(dir, 0);
  const t0 = Date.now();
  fs.mkdirSync(cacheRoot, { recursive: true, mode: 0o755 });
  fs.chmodSync(cacheRoot, 0o755);
  const work = fs.mkdtempSync(path.join(cacheRoot, '.build-'));
  const out = path.join(work, 'image');
  try {
    const built = buildGuest(out, path.join(work, 'scratch'));
    const buildSeconds = (Date.now() - t0) / 1000;
    fs.writeFileSync(path.join(out, 'recipe.json'), JSON.stringify({ ...built, buildSeconds, builtAt: new Date().toISOString() }, null, 2) + '\n');
    fs.chmodSync(out, 0o755);
    try {
      fs.renameSync(out, dir);
    } catch (e) {
      // Another process finished the same recipe first: use its image.
      if (!fs.existsSync(path.join(dir, 'recipe.json'))) throw e;
    }
    return imageIn(dir, buildSeconds);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
