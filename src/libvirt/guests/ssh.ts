/**
 * SSH to a clone. Where: a user-mode NIC gets a forwarded 127.0.0.1 port (forward.ts), any other NIC the first
 * address from domifaddr. Trust: clones of one template share its host key and often get reused addresses, so the
 * product keeps its own known-hosts file with entries keyed by the clone's UUID (ssh's HostKeyAlias). The entries
 * are learned through the guest agent (which needs no network, so nothing on the network can forge them); when the
 * agent does not answer, ssh asks the user as usual (never blind acceptance).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CancelledError, LibvirtError, MissingDependencyError } from '../../core/errors';
import type { LibvirtService } from '../api';
import type { CommandLine } from '../display';
import { sshLoginOf } from '../domain';
import { loadExeca } from '../process';
import { virshVia } from '../serviceCore';
import { agentAnswers, guestShell, type VirshCall } from './agent';
import { readAddresses } from './addresses';
import { ensureForward, userNetdevs } from './forward';

export interface SshSettings {
  /** Login user; absent: ssh's default (the local user, or ~/.ssh/config). */
  readonly user?: string;
  /** Private key file (-i). */
  readonly identityFile?: string;
  /** More ssh options, each an argument ("-o", "ConnectTimeout=5"...). */
  readonly options?: readonly string[];
}

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  /** forward: 127.0.0.1 port forwarded to the guest (user-mode NIC); address: reached directly. */
  readonly via: 'forward' | 'address';
}

/** The product's known-hosts file under the tool's home. */
export function knownHostsPath(home: string): string {
  return path.join(home, 'ssh', 'known_hosts');
}

/** The OpenSSH public key of an ed25519 key given its 32 public bytes: string "ssh-ed25519", string key. */
export function ed25519PublicKey(pub: Buffer): string {
  const type = Buffer.from('ssh-ed25519');
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  return Buffer.concat([u32(type.length), type, u32(pub.length), pub]).toString('base64');
}

/**
 * Public host keys in the output of HOST_KEYS_COMMAND: OpenSSH `.pub` lines or `dropbearkey -y` output
 * ("ssh-ed25519 AAAA..."), and, for a dropbear ed25519 key without dropbearkey, its public half as od hex bytes
 * between markers (a dropbear ed25519 key file ends with the 32 public bytes).
 */
export function parseHostKeys(out: string): { type: string; key: string }[] {
  const keys = new Map<string, { type: string; key: string }>();
  const add = (type: string, key: string) => keys.set(`${type} ${key}`, { type, key });
  for (const line of out.split('\n')) {
    const m = /^((?:ssh|ecdsa-sha2|sk-ssh|sk-ecdsa-sha2)-[A-Za-z0-9@.-]+)\s+([A-Za-z0-9+/]+={0,3})(\s|$)/.exec(line.trim());
    if (m) add(m[1]!, m[2]!);
  }
  for (const block of out.matchAll(/dropbear-ed25519-begin\n([\s0-9a-f]*?)dropbear-ed25519-end/g)) {
    const hex = block[1]!.replace(/\s+/g, '');
    if (/^[0-9a-f]{64}$/.test(hex)) add('ssh-ed25519', ed25519PublicKey(Buffer.from(hex, 'hex')));
  }
  return [...keys.values()];
}

/** The known-hosts text with `alias`'s entries replaced by `keys` (other lines kept). */
export function replaceKnownHosts(text: string, alias: string, keys: readonly { type: string; key: string }[]): string {
  const kept = text.split('\n').filter((l) => l.trim() && l.split(/\s+/)[0] !== alias);
  return [...kept, ...keys.map((k) => `${alias} ${k.type} ${k.key}`)].join('\n') + '\n';
}

/** The guest's public host keys: OpenSSH's .pub files, dropbear's keys (dropbearkey -y, or an ed25519 key's public half). */
export const HOST_KEYS_COMMAND = [
  'for f in /etc/ssh/ssh_host_*_key.pub; do [ -r "$f" ] && cat "$f"; done',
  'for f in /etc/dropbear/dropbear_*_host_key; do [ -r "$f" ] || continue; ' +
    'if command -v dropbearkey >/dev/null 2>&1; then dropbearkey -y -f "$f"; ' +
    'elif [ "${f##*/}" = dropbear_ed25519_host_key ] && [ "$(wc -c < "$f")" -eq 83 ]; then ' +
    'echo dropbear-ed25519-begin; tail -c 32 "$f" | od -An -v -tx1; echo dropbear-ed25519-end; fi; done',
  'exit 0',
].join('; ');

/** Reading the host keys takes a moment: a guest (or agent) that takes longer than this is not waited for. */
const HOST_KEYS_TIMEOUT_MS = 60_000;

/**
 * Reads the guest's host keys through its agent and records them for the clone's UUID in `file`. Returns how many
 * were recorded; 0 when the agent does not answer or the guest has none (existing entries are then kept).
 */
export async function learnHostKeys(virsh: VirshCall, uuid: string, file: string, signal?: AbortSignal): Promise<number> {
  if (!(await agentAnswers(virsh, uuid, signal))) return 0;
  const st = await guestShell(virsh, uuid, HOST_KEYS_COMMAND, signal, HOST_KEYS_TIMEOUT_MS);
  const keys = parseHostKeys(st.stdout);
  if (!keys.length) return 0;
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const old = await fs.readFile(file, 'utf8').catch(() => '');
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, replaceKnownHosts(old, uuid, keys), { mode: 0o600 });
  await fs.rename(tmp, file);
  return keys.length;
}

/** Where to reach the clone's port 22 from this host. */
export async function sshTarget(virsh: VirshCall, uuid: string, signal?: AbortSignal): Promise<SshTarget> {
  if ((await userNetdevs(virsh, uuid, signal)).length) {
    const port = await ensureForward(virsh, uuid, 22, signal);
    if (port) return { host: '127.0.0.1', port, via: 'forward' };
  }
  const a = await readAddresses(virsh, uuid, signal);
  const first = a.addresses[0];
  if (!first) throw new LibvirtError(`No address found for the clone (${a.tried.map((t) => `${t.source}: ${t.problem}`).join('; ')}).`);
  return { host: first.address, port: 22, via: 'address' };
}

/** The ssh command line (arguments as an array; the remote command, if any, after `--`). */
export function sshCommandLine(target: SshTarget, alias: string, knownHosts: string, s: SshSettings, command: readonly string[] = []): CommandLine {
  const args = [
    '-p', String(target.port),
    '-o', `HostKeyAlias=${alias}`,
    '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    // The address is not the machine's identity (reused addresses, one loopback for all forwards): the alias is.
    '-o', 'CheckHostIP=no',
    ...(s.identityFile ? ['-i', s.identityFile, '-o', 'IdentitiesOnly=yes'] : []),
    ...(s.user ? ['-l', s.user] : []),
    ...(s.options ?? []),
    '--',
    target.host,
    ...command,
  ];
  return { command: 'ssh', args };
}

/** Everything needed to open SSH to a clone: target found (forward made), host keys learned, command line. */
export async function prepareSsh(
  svc: LibvirtService,
  uuid: string,
  s: SshSettings,
  command: readonly string[] = [],
  signal?: AbortSignal,
): Promise<{ target: SshTarget; learned: number; line: CommandLine }> {
  const virsh: VirshCall = (args, signal) => virshVia(svc, args, signal);
  const target = await sshTarget(virsh, uuid, signal);
  const file = knownHostsPath(svc.config.home);
  const learned = await learnHostKeys(virsh, uuid, file, signal).catch((e: unknown) => {
    if (e instanceof CancelledError) throw e;
    return 0;
  });
  // No user in the settings: the one its template names (<ssh:login user=...> in the metadata), if any.
  const user = s.user ?? sshLoginOf(await svc.domainXml(uuid, { inactive: false, ...(signal ? { signal } : {}) }));
  return { target, learned, line: sshCommandLine(target, uuid, file, { ...s, ...(user ? { user } : {}) }, command) };
}

/** Runs ssh on this process's terminal (the CLI); resolves with its exit status. */
export async function runSshHere(line: CommandLine, signal?: AbortSignal): Promise<number> {
  const { execa } = await loadExeca();
  const r = await execa(line.command, [...line.args], { stdio: 'inherit', reject: false, ...(signal ? { cancelSignal: signal } : {}) });
  if (r.isCanceled) throw new CancelledError();
  if ((r as { code?: string }).code === 'ENOENT') throw new MissingDependencyError('ssh is not installed: install openssh-client (it provides ssh).', 'ssh');
  return r.exitCode ?? 255;
}
