/**
 * Whether libvirt's QEMU user can open /dev/kvm. A machine without udev can leave /dev/kvm root-only
 * (crw------- root root): libvirt probes QEMU's capabilities as root with KVM, then finds on every later call that
 * KVM is not available to the QEMU user and probes again, so each call takes seconds (a define took 59 s).
 * The decision is pure (kvmProblem); kvmAccessProblem reads the local files it needs.
 */
import * as fs from 'node:fs/promises';
import { constants } from 'node:fs';

/** What stat says of the device. */
export interface DeviceOwner {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** A user with the groups it belongs to. */
export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gids: readonly number[];
}

/** The account named `user` from /etc/passwd and /etc/group text; undefined when there is no such user. */
export function accountOf(user: string, passwd: string, group: string): Account | undefined {
  const row = passwd.split('\n').map((l) => l.split(':')).find((f) => f[0] === user && f.length >= 4);
  if (!row) return undefined;
  const gids = new Set([Number(row[3])]);
  for (const g of group.split('\n')) {
    const f = g.split(':');
    if (f.length >= 4 && f[3]!.split(',').map((m) => m.trim()).includes(user)) gids.add(Number(f[2]));
  }
  return { name: user, uid: Number(row[2]), gids: [...gids] };
}

/** The `user = "..."` setting of qemu.conf, when set (commented lines are ignored). */
export function qemuUserSetting(qemuConf: string): string | undefined {
  return /^\s*user\s*=\s*"([^"]*)"/m.exec(qemuConf)?.[1];
}

/** Whether the account may open the device for reading and writing, by its mode bits. */
export function canOpen(dev: DeviceOwner, who: Account): boolean {
  if (who.uid === 0) return true;
  const rw = (shift: number) => ((dev.mode >> shift) & 0o6) === 0o6;
  if (dev.uid === who.uid) return rw(6);
  if (who.gids.includes(dev.gid)) return rw(3);
  return rw(0);
}

/** The problem to report when the device exists and the account cannot open it; undefined when all is well. */
export function kvmProblem(dev: DeviceOwner, who: Account, names: { owner: string; group: string }): string | undefined {
  return canOpen(dev, who) ? undefined : describe(dev, who.name, names);
}

function describe(dev: DeviceOwner, who: string, names: { owner: string; group: string }): string {
  const mode = (dev.mode & 0o777).toString(8).padStart(3, '0');
  return (
    `/dev/kvm is mode ${mode}, owner ${names.owner}, group ${names.group}: libvirt's QEMU user ${who} cannot open ` +
    'it, so libvirt probes QEMU again on almost every call and each takes seconds. Fix as root: ' +
    `chgrp kvm /dev/kvm && chmod 0660 /dev/kvm (what udev does on a normal host), make sure ${who} is in ` +
    'group kvm, then restart libvirtd.'
  );
}

/** Whether a URI is the local system connection of QEMU (the only one whose QEMU user this machine can look up). */
export function isLocalSystemUri(uri: string): boolean {
  return /^qemu(\+unix)?:\/\/\/system(\?.*)?$/.test(uri.trim());
}

export interface KvmFiles {
  readonly device: string;
  readonly passwd: string;
  readonly group: string;
  readonly qemuConf: string;
}

const FILES: KvmFiles = { device: '/dev/kvm', passwd: '/etc/passwd', group: '/etc/group', qemuConf: '/etc/libvirt/qemu.conf' };

/**
 * Checks /dev/kvm for the QEMU user of a local connection: for qemu:///system the user of qemu.conf (Debian's
 * libvirt-qemu when unset), for qemu:///session this process's user. Undefined when all is well, there is no
 * /dev/kvm, or the connection is another machine's.
 */
export async function kvmAccessProblem(uri: string, files: KvmFiles = FILES): Promise<string | undefined> {
  const st = await fs.stat(files.device).catch(() => undefined);
  if (!st) return undefined;
  const read = (p: string) => fs.readFile(p, 'utf8').catch(() => '');
  const [passwd, group] = await Promise.all([read(files.passwd), read(files.group)]);
  const nameOf = (text: string, id: number) =>
    text.split('\n').map((l) => l.split(':')).find((f) => f.length >= 3 && Number(f[2]) === id)?.[0] ?? String(id);
  const names = { owner: nameOf(passwd, st.uid), group: nameOf(group, st.gid) };
  if (/^qemu(\+unix)?:\/\/\/session/.test(uri.trim())) {
    const ok = await fs.access(files.device, constants.R_OK | constants.W_OK).then(() => true, () => false);
    return ok ? undefined : describe(st, `(your own user, uid ${process.getuid?.() ?? '?'})`, names);
  }
  if (!isLocalSystemUri(uri)) return undefined;
  const user = qemuUserSetting(await read(files.qemuConf)) ?? 'libvirt-qemu';
  const who = accountOf(user, passwd, group);
  if (!who) return undefined;
  return kvmProblem({ mode: st.mode, uid: st.uid, gid: st.gid }, who, names);
}
