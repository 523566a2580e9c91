/**
 * The libvirt test bed: tiny real templates (an empty qcow2 disk is enough: the domain starts and runs under TCG)
 * and cleanup of everything a test made. Tests call virsh and qemu-img here directly to set up and to check what
 * the product did; the product itself never spawns them outside src/libvirt/.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureGuest, guestDomainXml, type GuestDomainOptions } from './guest';

export const TEST_URI = process.env.QQ2CLONE_TEST_URI ?? 'qemu:///system';

/** Run virsh for a test (set-up or check); throws with stderr on failure. */
export function virsh(...args: string[]): string {
  return execFileSync('virsh', ['-q', '-c', TEST_URI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Run virsh; returns undefined instead of throwing. */
export function tryVirsh(...args: string[]): string | undefined {
  try {
    return virsh(...args);
  } catch {
    return undefined;
  }
}

/**
 * Is a domain (name or UUID) defined? False only when virsh says there is no such domain: any other failure (no
 * daemon, no permission) throws, so that a check of absence cannot pass because the check itself failed.
 */
export function domainExists(domain: string): boolean {
  try {
    virsh('domuuid', domain);
    return true;
  } catch (e) {
    if (/failed to get domain|Domain not found/.test(String((e as { stderr?: unknown }).stderr ?? ''))) return false;
    throw e;
  }
}

/** What virsh printed on stderr when it failed; throws when it succeeded (a check that a command must fail). */
export function virshFailure(...args: string[]): string {
  try {
    virsh(...args);
  } catch (e) {
    return String((e as { stderr?: unknown }).stderr ?? '');
  }
  throw new Error(`virsh ${args.join(' ')} succeeded`);
}

export function qemuImg(...args: string[]): string {
  return execFileSync('qemu-img', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A unique prefix for one test run's names: tests never touch what they did not make. */
export function uniquePrefix(tag: string): string {
  return `qqt-${tag}-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
}

export interface TinyDomainOptions {
  name: string;
  disk: string;
  /** Extra XML inside <devices> (graphics, more disks...). */
  devices?: string;
  mac?: string;
}

/**
 * Polls `virsh domstate --reason` until the state starts with `want` (a string) or matches it (a RegExp); the
 * state it reached. Fails with the last state seen after `timeoutMs` (a guest's boot or shutdown under TCG on a
 * busy 2-core machine can take minutes).
 */
export async function domstateBecomes(domain: string, want: string | RegExp, timeoutMs = 180_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let s = '';
  while (Date.now() < end) {
    s = virsh('domstate', '--reason', domain).trim();
    if (typeof want === 'string' ? s.startsWith(want) : want.test(s)) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${domain} is "${s}", not ${typeof want === 'string' ? `"${want}"` : want} after ${timeoutMs} ms`);
}

/**
 * Looks at `f` every 200 ms until it gives a value (anything but undefined and false), for what another process
 * writes and no event announces; that value. Fails naming `what` after `ms`.
 */
export async function pollUntil<T>(what: string, f: () => T | undefined | false, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    const v = f();
    if (v !== undefined && v !== false) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The XML of a tiny TCG domain (type='qemu': KVM is not usable by the qemu user on these machines). */
export function tinyDomainXml(o: TinyDomainOptions): string {
  return `<domain type='qemu'>
  <name>${o.name}</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${o.disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'>
      <mac address='${o.mac ?? '52:54:00:aa:bb:01'}'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'/>
${o.devices ?? ''}  </devices>
</domain>
`;
}

/**
 * A scratch area for one test file: QQ2CLONE_HOME-style root under /var/tmp (the qemu user cannot enter /root),
 * with helpers to make template disks, and a cleanup that removes every domain whose name starts with the prefix,
 * every pool it made, and the directory.
 */
export class TestBed {
  readonly prefix: string;
  readonly root: string;

  constructor(tag: string) {
    this.prefix = uniquePrefix(tag);
    this.root = fs.mkdtempSync(path.join(os.tmpdir() === '/tmp' ? '/var/tmp' : os.tmpdir(), `${this.prefix}-`));
    fs.chmodSync(this.root, 0o755);
  }

  /** A new empty qcow2 disk of `size` (default 64M) inside the bed. */
  makeDisk(name: string, size = '64M'): string {
    const file = path.join(this.root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    qemuImg('create', '-q', '-f', 'qcow2', file, size);
    return file;
  }

  /** Writes a template XML (name prefixed) with a fresh disk into `dir`; returns its name and paths. */
  makeTemplateFile(dir: string, shortName: string, devices?: string): { name: string; xmlPath: string; disk: string } {
    const name = `${this.prefix}-${shortName}`;
    const disk = this.makeDisk(`images/${shortName}.qcow2`);
    fs.mkdirSync(dir, { recursive: true });
    const xmlPath = path.join(dir, `${name}.xml`);
    fs.writeFileSync(xmlPath, tinyDomainXml({ name, disk, ...(devices ? { devices } : {}) }));
    return { name, xmlPath, disk };
  }

  /**
   * Writes a template XML (name prefixed) booting the real test guest into `dir`: its disk is a copy of the guest's
   * root image inside the bed (the product makes template images read-only; the cached image is never used).
   */
  makeGuestTemplate(
    dir: string,
    shortName: string,
    opts: Omit<GuestDomainOptions, 'name' | 'disk'> = {},
  ): { name: string; xmlPath: string; disk: string } {
    const name = `${this.prefix}-${shortName}`;
    const disk = path.join(this.root, 'images', `${shortName}.qcow2`);
    fs.mkdirSync(path.dirname(disk), { recursive: true });
    fs.copyFileSync(ensureGuest().rootImage, disk);
    fs.chmodSync(disk, 0o644);
    fs.mkdirSync(dir, { recursive: true });
    const xmlPath = path.join(dir, `${name}.xml`);
    fs.writeFileSync(xmlPath, guestDomainXml({ ...opts, name, disk }));
    return { name, xmlPath, disk };
  }

  /** Names of all domains (any state) whose name starts with the prefix. */
  domains(): string[] {
    return (tryVirsh('list', '--all', '--name') ?? '')
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s.startsWith(this.prefix));
  }

  /** Removes every domain and pool the test made (by prefix) and the scratch directory. Never throws. */
  cleanup(): void {
    for (const d of this.domains()) {
      tryVirsh('destroy', d);
      tryVirsh('managedsave-remove', d);
      tryVirsh('undefine', d, '--managed-save', '--snapshots-metadata', '--nvram');
      tryVirsh('undefine', d);
    }
    for (const p of (tryVirsh('pool-list', '--all', '--name') ?? '').split('\n').map((s) => s.trim())) {
      if (p.startsWith(this.prefix)) {
        tryVirsh('pool-destroy', p);
        tryVirsh('pool-undefine', p);
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
