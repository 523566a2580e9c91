/**
 * Builds the test guest into a fresh directory: Debian packages fetched with apt-get download and unpacked with
 * dpkg-deb -x (never installed on this host), the uncompressed kernel, a busybox initramfs with the modules, an ext4
 * root made with mkfs.ext4 -d and converted to qcow2, a fixed SSH host key and a test client key.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { cpioNewc, extractVmlinux, modulesInOrder, type CpioEntry } from './kernel';
import * as R from './recipe';

const run = (cmd: string, args: string[], cwd?: string): string =>
  execFileSync(cmd, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });

function need(cmd: string, args: string[], cwd?: string): string {
  try {
    return run(cmd, args, cwd);
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    const why = err.code === 'ENOENT' ? `${cmd} is not installed` : (err.stderr || err.message).trim();
    throw new Error(`guest build: ${cmd} ${args.join(' ')} failed: ${why}. Run scripts/setup-testbed.sh as root.`);
  }
}

/** The kernel image package the meta package currently depends on. */
function kernelPackage(): string {
  const out = need('apt-cache', ['depends', R.KERNEL_META]);
  const m = /Depends: (linux-image-\S+)/.exec(out);
  if (!m) throw new Error(`guest build: ${R.KERNEL_META} names no kernel package (apt-get update?):\n${out}`);
  return m[1];
}

/** Copies `rel` (a file of the unpacked packages, links followed) to the same path in the root. */
function copyIn(pkg: string, root: string, rel: string, mode = 0o755): void {
  const to = path.join(root, rel);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(path.join(pkg, rel), to);
  fs.chmodSync(to, mode);
}

/** The unpacked libraries `bin` loads, as paths relative to `pkg`; throws when one is missing from the packages. */
function librariesOf(pkg: string, bin: string): string[] {
  const loader = path.join(pkg, 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
  const libPath = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu'].map((d) => path.join(pkg, d)).join(':');
  const out = need(loader, ['--library-path', libPath, '--list', path.join(pkg, bin)]);
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\S+) => (\S+)/.exec(line);
    if (!m || m[1].includes('/')) continue; // the loader itself is added by the caller
    if (!m[2].startsWith(pkg + '/')) throw new Error(`guest build: ${bin} needs ${m[1]}, which no recipe package has (${m[2]})`);
    libs.push(path.join(path.dirname(path.relative(pkg, m[2])), m[1]));
  }
  return libs;
}

function writeRootFiles(root: string): void {
  for (const d of R.ROOT_DIRS) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.chmodSync(path.join(root, 'root'), 0o700);
  fs.chmodSync(path.join(root, 'root/.ssh'), 0o700);
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  for (const [rel, text] of Object.entries(R.ROOT_FILES)) {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text, { mode: R.EXECUTABLES.includes(rel) ? 0o755 : 0o644 });
  }
  fs.chmodSync(path.join(root, 'etc/shadow'), 0o600);
  for (const [rel, target] of Object.entries(R.ROOT_LINKS)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.symlinkSync(target, path.join(root, rel));
  }
}

/** busybox and a link per applet (from the static binary itself, which runs on this host too). */
function installBusybox(pkg: string, root: string): void {
  copyIn(pkg, root, 'bin/busybox');
  for (const full of need(path.join(pkg, 'bin/busybox'), ['--list-full']).split('\n').filter(Boolean)) {
    const link = path.join(root, full);
    if (fs.existsSync(link)) continue;
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(link), path.join(root, 'bin/busybox')), link);
  }
}

function makeInitramfs(pkg: string, modules: string[], out: string): void {
  const dir = (name: string): CpioEntry => ({ name, mode: 0o040755 });
  const entries: CpioEntry[] = [dir('bin'), dir('modules')];
  entries.push({ name: 'init', mode: 0o100755, data: Buffer.from(R.INIT) });
  entries.push({ name: 'bin/busybox', mode: 0o100755, data: fs.readFileSync(path.join(pkg, 'bin/busybox')) });
  entries.push({ name: 'modules.order', mode: 0o100644, data: Buffer.from(modules.map((m) => path.basename(m)).join('\n') + '\n') });
  for (const m of modules) entries.push({ name: `modules/${path.basename(m)}`, mode: 0o100644, data: fs.readFileSync(m) });
  fs.writeFileSync(out, zlib.gzipSync(cpioNewc(entries), { level: 9 }));
}

/** Host key (dropbear format, in the root) and its public line; the client key pair for ssh -i. */
function makeKeys(pkg: string, root: string, dir: string): void {
  const loader = path.join(pkg, 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
  const libPath = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu'].map((d) => path.join(pkg, d)).join(':');
  const dropbearkey = (...a: string[]): string => need(loader, ['--library-path', libPath, path.join(pkg, 'usr/bin/dropbearkey'), ...a]);
  const hostKey = path.join(root, 'etc/dropbear/dropbear_ed25519_host_key');
  dropbearkey('-t', 'ed25519', '-f', hostKey);
  const pub = /^(ssh-ed25519 \S+)/m.exec(dropbearkey('-y', '-f', hostKey));
  if (!pub) throw new Error('guest build: dropbearkey printed no public key');
  fs.writeFileSync(path.join(dir, 'host_key.pub'), pub[1] + '\n');
  fs.writeFileSync(path.join(dir, 'known_hosts'), `${R.HOST_KEY_ALIAS} ${pub[1]}\n`);
  const client = path.join(dir, 'client_key');
  need('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'qq2clone-test', '-f', client]);
  fs.writeFileSync(path.join(root, 'root/.ssh/authorized_keys'), fs.readFileSync(client + '.pub'), { mode: 0o600 });
}

/** The ext4 root as a qcow2 of ROOT_SIZE; every file owned by root even when the builder is not. */
function makeRootImage(root: string, work: string, out: string): void {
  const raw = path.join(work, 'root.raw');
  need('mkfs.ext4', ['-q', '-F', '-L', 'qq2root', '-E', 'root_owner=0:0', '-d', root, raw, R.ROOT_SIZE]);
  if (process.getuid?.() !== 0) {
    const cmds = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => `sif /${f} uid 0\nsif /${f} gid 0`);
    fs.writeFileSync(path.join(work, 'owners.debugfs'), cmds.join('\n') + '\n');
    need('debugfs', ['-w', '-f', path.join(work, 'owners.debugfs'), raw]);
  }
  need('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, out]);
  fs.rmSync(raw);
}

/** Builds the guest into `dir` (which must not exist), using `work` as scratch. Returns what it fetched. */
export function buildGuest(dir: string, work: string): { packages: string[]; kernelCompression: string } {
  const debs = path.join(work, 'debs');
  const pkg = path.join(work, 'pkg');
  const root = path.join(work, 'root');
  for (const d of [dir, debs, pkg, root]) fs.mkdirSync(d, { recursive: true });
  const packages = [kernelPackage(), ...R.PACKAGES];
  try {
    run('apt-get', ['download', '-q', ...packages], debs);
  } catch (e) {
    const why = ((e as { stderr?: string }).stderr ?? String(e)).trim();
    throw new Error(`guest build: apt-get download ${packages.join(' ')} failed: ${why}. Stale or missing package lists? Run apt-get update (or scripts/setup-testbed.sh) as root.`);
  }
  for (const deb of fs.readdirSync(debs)) need('dpkg-deb', ['-x', path.join(debs, deb), pkg]);

  const boot = path.join(pkg, 'boot');
  const vmlinuz = fs.readdirSync(boot).find((f) => f.startsWith('vmlinuz-'));
  if (!vmlinuz) throw new Error('guest build: the kernel package has no vmlinuz');
  const kernelCompression = extractVmlinux(path.join(boot, vmlinuz), path.join(dir, 'vmlinux'));
  // Kept as well for guests with a display: QEMU boots the ELF vmlinux through PVH, which skips the kernel's
  // real-mode setup, so the text console has no screen to draw on (a dummy console); the bzImage runs that setup.
  fs.copyFileSync(path.join(boot, vmlinuz), path.join(dir, 'vmlinuz'));
  const modulesDir = path.join(pkg, 'lib/modules', vmlinuz.slice('vmlinuz-'.length), 'kernel');
  makeInitramfs(pkg, modulesInOrder(modulesDir, R.MODULES), path.join(dir, 'initrd.gz'));

  writeRootFiles(root);
  installBusybox(pkg, root);
  const libs = new Set<string>(['lib/x86_64-linux-gnu/ld-linux-x86-64.so.2']);
  for (const bin of R.BINARIES) {
    copyIn(pkg, root, bin);
    for (const l of librariesOf(pkg, bin)) libs.add(l);
  }
  for (const l of libs) copyIn(pkg, root, l);
  makeKeys(pkg, root, dir);
  makeRootImage(root, work, path.join(dir, 'root.qcow2'));
  fs.chmodSync(path.join(dir, 'root.qcow2'), 0o444);
  return { packages: fs.readdirSync(debs).sort(), kernelCompression };
}
