/**
 * Clones on another libvirt host (not a test), run as the test bed's unprivileged account:
 *   runuser -u qq2tester -- env HOME=/home/qq2tester npx tsx bench/remote.ts [--count 100]
 *
 * In one run, for the second host over SSH (qemu+ssh://qq2remote@127.0.0.1/session, scripts/setup-second-host.sh)
 * and for a local URI (this account's qemu:///session), create and rm of N clones of a template on a volume of the
 * pool "default":
 *   (a) the qq2clone way, one virsh process per step per clone: `vol-create-as` (the overlay), `define`, `domuuid`;
 *       rm: `domstate`, `undefine`, `vol-delete`; over SSH each process opens its own SSH connection;
 *   (b) our service: clone(template, N), then run('rm', all of them) (sessions kept open, commands pipelined).
 * Prints times and ratios. Removes what it made, also on failure (domains and volumes by prefix, its folder).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CloneRef, LibvirtService } from '../src/libvirt/api';

const argv = process.argv.slice(2);
const COUNT = Number(argv[argv.indexOf('--count') + 1] ?? '') || 100;
const REMOTE = 'qemu+ssh://qq2remote@127.0.0.1/session';
const LOCAL = 'qemu:///session';
const prefix = `qqb-rem-${process.pid.toString(36)}`;

const connect = (uri: string) => (uri.includes('+ssh') ? `${uri}?no_tty=1` : uri);
const virsh = (uri: string, ...args: string[]) => execFileSync('virsh', ['-q', '-c', connect(uri), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const tryVirsh = (uri: string, ...args: string[]) => {
  try {
    return virsh(uri, ...args);
  } catch {
    return '';
  }
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
async function timed<T>(f: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  return [await f(), performance.now() - t0];
}

/** The pool "default" on `uri` (made in this account's home for its own session daemon when missing). */
function ensurePool(uri: string): void {
  if (tryVirsh(uri, 'pool-info', 'default')) return;
  const dir = path.join(os.homedir(), '.local/share/libvirt/images');
  fs.mkdirSync(dir, { recursive: true });
  virsh(uri, 'pool-define-as', 'default', 'dir', '--target', dir);
  virsh(uri, 'pool-start', 'default');
}

function domainXml(name: string, disk: string): string {
  return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk>
</devices></domain>`;
}

async function bench(uri: string, work: string): Promise<string[]> {
  ensurePool(uri);
  const base = `${prefix}-base.qcow2`;
  virsh(uri, 'vol-create-as', 'default', base, '64M', '--format', 'qcow2');
  const basePath = virsh(uri, 'vol-path', '--pool', 'default', base).trim();
  const templateDir = path.join(work, 'templates');
  fs.mkdirSync(templateDir, { recursive: true });
  const tpl = `${prefix}t`;
  fs.writeFileSync(path.join(templateDir, `${tpl}.xml`), domainXml(tpl, basePath));
  // (a) one virsh process per step per clone.
  const [uuids, aCreate] = await timed(() => {
    const out: { uuid: string; vol: string }[] = [];
    for (let i = 1; i <= COUNT; i++) {
      const name = `${prefix}-a-${i}`;
      virsh(uri, 'vol-create-as', 'default', `${name}.qcow2`, '0', '--format', 'qcow2', '--backing-vol', basePath, '--backing-vol-format', 'qcow2');
      const xml = path.join(work, `${name}.xml`);
      fs.writeFileSync(xml, domainXml(name, path.join(path.dirname(basePath), `${name}.qcow2`)));
      virsh(uri, 'define', xml);
      out.push({ uuid: virsh(uri, 'domuuid', name).trim(), vol: `${name}.qcow2` });
    }
    return out;
  });
  const [, aRm] = await timed(() => {
    for (const c of uuids) {
      virsh(uri, 'domstate', c.uuid);
      virsh(uri, 'undefine', c.uuid);
      virsh(uri, 'vol-delete', '--pool', 'default', c.vol);
    }
  });
  // (b) the service.
  const { createLibvirtService } = await import('../src/libvirt');
  const service: LibvirtService = createLibvirtService({ uri, home: work, templateDir, storage: 'default' });
  let refs: CloneRef[] = [];
  try {
    await service.probe();
    const [made, bCreate] = await timed(() => service.clone(tpl, COUNT, { run: false }));
    refs = made.map(({ template, id, uuid, name }) => ({ template, id, uuid, name }));
    const [r, bRm] = await timed(() => service.run('rm', refs));
    if (r.done.length !== COUNT) throw new Error(`rm: ${r.done.length} of ${COUNT} done (${r.failed[0]?.error.message ?? ''})`);
    refs = [];
    return [
      `${uri}  (a) one virsh per step per clone: create ${seconds(aCreate)} (${(aCreate / COUNT).toFixed(0)} ms/clone), rm ${seconds(aRm)} (${(aRm / COUNT).toFixed(0)} ms/clone)`,
      `${uri}  (b) our service:                  create ${seconds(bCreate)} (${(bCreate / COUNT).toFixed(0)} ms/clone), rm ${seconds(bRm)} (${(bRm / COUNT).toFixed(0)} ms/clone)`,
      `${uri}  ratio (a)/(b):                    create ${(aCreate / bCreate).toFixed(1)}x, rm ${(aRm / bRm).toFixed(1)}x`,
    ];
  } finally {
    if (refs.length) await service.run('rm', refs).catch(() => undefined);
    service.dispose();
  }
}

function cleanup(uri: string): void {
  for (const d of tryVirsh(uri, 'list', '--all', '--name').split('\n').map((l) => l.trim()).filter((n) => n.startsWith(prefix))) tryVirsh(uri, 'undefine', d);
  for (const v of tryVirsh(uri, 'vol-list', '--pool', 'default').split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n.startsWith(prefix)))
    tryVirsh(uri, 'vol-delete', '--pool', 'default', v);
}

async function main(): Promise<void> {
  if (process.getuid?.() === 0) throw new Error('run as the test bed account: runuser -u qq2tester -- env HOME=/home/qq2tester npx tsx bench/remote.ts');
  console.log(`remote clone/rm benchmark, ${new Date().toISOString()}, ${COUNT} clones (not started), template on an empty 64M qcow2 volume`);
  for (const uri of [REMOTE, LOCAL]) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'q2c-bench-remote-'));
    try {
      for (const l of await bench(uri, work)) console.log(l);
    } finally {
      cleanup(uri);
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
