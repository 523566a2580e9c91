/**
 * The one place that turns a failed libvirt tool (virsh, qemu-img, shred...) into a typed error from
 * src/core/errors.ts, keeping the command, its exit code and stderr.
 */
import {
  ExternalCommandError,
  ImageAccessError,
  LibvirtError,
  LibvirtUnavailableError,
  MissingDependencyError,
  Qq2Error,
  type ProcessFailure,
} from '../../core/errors';

/** The packages that provide each program, for "install ..." hints. */
const PACKAGES: Record<string, string> = {
  virsh: 'libvirt-clients',
  'qemu-img': 'qemu-utils',
  shred: 'coreutils',
};

const DAEMON_DOWN = /Failed to connect socket|No such file or directory|Connection refused|end of file while reading data|Cannot recv data|Broken pipe|not connected|no connection driver/i;
const PERMISSION =
  /Permission denied|authentication (failed|unavailable)|access denied|Operation not permitted.*socket|Unable to get system bus connection|polkit/i;
/**
 * virsh's own lines when opening the connection failed: only then can a refusal mean "no permission to use libvirt".
 * (A refusal met later, e.g. QEMU unable to open a disk while starting a domain, is a failed action.)
 */
const CONNECT_FAILED = /failed to (re)?connect to the hypervisor|Failed to connect socket/i;
/**
 * libvirt's and QEMU's words for a file the QEMU process may not open: "Cannot access storage file 'F' (as
 * uid:U, gid:G): Permission denied", "Cannot access backing file 'F' of storage file ...", "Could not open 'F':
 * Permission denied". The first quoted path is the refused file.
 */
const FILE_REFUSED = /(?:Cannot access (?:storage|backing) file|Could not open(?: backing file)?) '([^']+)'[^\n]*: Permission denied/i;
const AS_UID = /\(as uid:(\d+), gid:\d+\)/;

/** libvirt's answer about a domain that is not (or no longer) defined: it went away, which is no failure to report. */
export function domainGone(e: unknown): boolean {
  return e instanceof LibvirtError && /failed to get domain|Domain not found/i.test(e.message);
}

/** Hints: one sentence that says what to do. */
export const FAILURE_HINTS = {
  notInstalled: (program: string) =>
    `Install ${PACKAGES[program] ?? program} (it provides ${program}) and make sure it is on PATH.`,
  daemonDown: (uri: string) => {
    // On another host there is no daemon to start here: what to check is that host.
    const host = sshTarget(uri)?.replace(/:(\d+)$/, ' -p $1');
    return host
      ? `Check that ${host} is reachable, that its SSH server and its libvirt daemon run (\`ssh ${host} virsh version\`), and the connection URI ${uri}.`
      : `Start the libvirt daemon (e.g. \`sudo systemctl start libvirtd\` or \`libvirtd -d\`) and check the connection URI ${uri}.`;
  },
  permission: () =>
    'Add your user to the libvirt group (`sudo usermod -aG libvirt $USER`, then log in again) or use a connection URI you may access.',
  imageAccess: (file: string, uid?: string) =>
    `The qemu user${uid ? ` (uid ${uid})` : ''} must be able to reach ${file}: give it read access to the file and search (x) permission on every directory above it, or move the image to a directory it can enter.`,
};

/**
 * What ssh (libvirt's +ssh and +libssh transports) says when it cannot open the connection, and what to do: a table, matched in
 * order. The product never answers a prompt (URIs get no_tty=1), so each of these ends the attempt at once.
 */
const SSH_FAILURES: readonly { readonly re: RegExp; readonly reason: 'other' | 'permission-denied' | 'daemon-down'; readonly hint: (host: string) => string }[] = [
  {
    re: /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known|SSH host key for '[^']*' \([^)]*\) was not accepted/i,
    reason: 'other',
    hint: (h) =>
      `ssh does not know ${h}'s host key (or it changed), and qq2clone never accepts one on its own: check the ` +
      `key's fingerprint with the host's administrator, then run \`ssh ${h}\` once in a terminal and accept it (or add it to ~/.ssh/known_hosts).`,
  },
  {
    re: /Could not open a connection to your authentication agent|agent refused operation|sign_and_send_pubkey: signing failed/i,
    reason: 'permission-denied',
    hint: (h) => `ssh could not use your key through the agent: start ssh-agent and add your key (\`ssh-add\`), then check that \`ssh ${h} true\` works without a prompt.`,
  },
  {
    re: /Permission denied \((publickey|password|keyboard-interactive)|Too many authentication failures|passphrase|password:/i,
    reason: 'permission-denied',
    hint: (h) =>
      `ssh could not log in to ${h} without a prompt (qq2clone does not ask for passwords): set up key authentication ` +
      `(\`ssh-copy-id ${h}\`) and load a key with a passphrase into ssh-agent (\`ssh-add\`), then check that \`ssh ${h} true\` works.`,
  },
  {
    // OpenSSH's words (+ssh), then libssh's (+libssh).
    re: /ssh: connect to host \S+ port \d+: |ssh: Could not resolve hostname|unable to connect to server at '[^']+': /i,
    reason: 'daemon-down',
    hint: (h) => `ssh cannot reach ${h}: check the host name and port in the connection URI and that its SSH server runs.`,
  },
];

/** The user@host[:port] of an SSH connection URI, or undefined for any other URI. */
function sshTarget(uri: string | undefined): string | undefined {
  const m = /^[a-z][a-z0-9.-]*\+(?:ssh|libssh2?):\/\/([^/?#]+)/i.exec(uri ?? '');
  return m?.[1];
}

/** An ssh failure of an SSH connection as the typed error, or undefined when it is none. */
function sshFailure(stderr: string, uri: string | undefined, failure: ProcessFailure): LibvirtUnavailableError | undefined {
  const host = sshTarget(uri);
  if (!host) return undefined;
  const known = SSH_FAILURES.find((f) => f.re.test(stderr));
  if (!known) return undefined;
  const hint = known.hint(host.replace(/:(\d+)$/, ' -p $1'));
  return new LibvirtUnavailableError(`Cannot connect to libvirt at ${uri}: ${libvirtMessage(stderr)}. ${hint}`, known.reason, hint, failure);
}

/** The text after "error: " prefixes, joined, or the trimmed stderr. */
export function libvirtMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  // From the first "error: " line on; continuation lines (e.g. QEMU's "Is another process using the image?") belong to it.
  const first = lines.findIndex((l) => l.startsWith('error: '));
  const errs = (first < 0 ? lines : lines.slice(first)).map((l) => (l.startsWith('error: ') ? l.slice('error: '.length) : l));
  return errs.join(': ') || 'unknown failure';
}

/**
 * Whether a virsh failure means the connection itself cannot be used (rather than a refused request): only when
 * opening the connection failed is a refusal "no permission to use libvirt".
 */
export function classifyLibvirtStderr(stderr: string): 'daemon-down' | 'permission-denied' | undefined {
  if (!CONNECT_FAILED.test(stderr) && !/Connection refused|end of file while reading/i.test(stderr)) return undefined;
  if (CONNECT_FAILED.test(stderr) && PERMISSION.test(stderr)) return 'permission-denied';
  return 'daemon-down';
}

export interface FailureFacts {
  readonly program: string;
  readonly args: readonly string[];
  readonly exitCode?: number;
  readonly stderr?: string;
  /** Node's errno code when spawning failed (ENOENT, EACCES...). */
  readonly code?: string;
  readonly uri?: string;
}

/** Maps a failed process to the typed error the rest of the product shows. */
export function mapFailure(f: FailureFacts): Qq2Error {
  const stderr = f.stderr ?? '';
  const failure: ProcessFailure = {
    command: [f.program, ...f.args].join(' '),
    ...(f.exitCode !== undefined ? { exitCode: f.exitCode } : {}),
    stderr,
  };
  if (f.code === 'ENOENT') {
    if (f.program === 'virsh')
      return new LibvirtUnavailableError('virsh is not installed.', 'not-installed', FAILURE_HINTS.notInstalled('virsh'), failure);
    return new MissingDependencyError(`${f.program} is not installed. ${FAILURE_HINTS.notInstalled(f.program)}`, f.program);
  }
  const msg = libvirtMessage(stderr);
  if (f.program === 'virsh') {
    const uri = f.uri ?? 'the configured URI';
    const ssh = sshFailure(stderr, f.uri, failure);
    if (ssh) return ssh;
    const kind = classifyLibvirtStderr(stderr);
    if (kind === 'permission-denied')
      return new LibvirtUnavailableError(`No permission to use libvirt at ${uri}: ${msg}`, kind, FAILURE_HINTS.permission(), failure);
    if (kind === 'daemon-down' || (DAEMON_DOWN.test(stderr) && /connect to the hypervisor/i.test(stderr)))
      return new LibvirtUnavailableError(`Cannot connect to libvirt at ${uri}: ${msg}`, 'daemon-down', FAILURE_HINTS.daemonDown(uri), failure);
    const refused = FILE_REFUSED.exec(stderr);
    if (refused) {
      const hint = FAILURE_HINTS.imageAccess(refused[1]!, AS_UID.exec(refused[0])?.[1]);
      return new ImageAccessError(`${msg}. ${hint}`, refused[1]!, hint, failure);
    }
    return new LibvirtError(msg, failure);
  }
  return new ExternalCommandError(`${f.program} failed: ${msg}`, failure);
}
