/**
 * The one place that turns a failed libvirt tool (virsh, qemu-img, shred...) into a typed error from
 * src/core/errors.ts, keeping the command, its exit code and stderr.
 */
import {
  ExternalCommandError,
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

/** Hints: one sentence that says what to do. */
export const FAILURE_HINTS = {
  notInstalled: (program: string) =>
    `Install ${PACKAGES[program] ?? program} (it provides ${program}) and make sure it is on PATH.`,
  daemonDown: (uri: string) =>
    `Start the libvirt daemon (e.g. \`sudo systemctl start libvirtd\` or \`libvirtd -d\`) and check the connection URI ${uri}.`,
  permission: () =>
    'Add your user to the libvirt group (`sudo usermod -aG libvirt $USER`, then log in again) or use a connection URI you may access.',
};

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

/** Whether a virsh failure means the daemon cannot be reached (rather than a refused request). */
export function classifyLibvirtStderr(stderr: string): 'daemon-down' | 'permission-denied' | undefined {
  if (PERMISSION.test(stderr)) return 'permission-denied';
  if (/Failed to connect socket|Connection refused|end of file while reading|failed to connect to the hypervisor/i.test(stderr))
    return 'daemon-down';
  return undefined;
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
    const kind = classifyLibvirtStderr(stderr);
    if (kind === 'permission-denied')
      return new LibvirtUnavailableError(`No permission to use libvirt at ${uri}: ${msg}`, kind, FAILURE_HINTS.permission(), failure);
    if (kind === 'daemon-down' || (DAEMON_DOWN.test(stderr) && /connect to the hypervisor/i.test(stderr)))
      return new LibvirtUnavailableError(`Cannot connect to libvirt at ${uri}: ${msg}`, 'daemon-down', FAILURE_HINTS.daemonDown(uri), failure);
    return new LibvirtError(msg, failure);
  }
  return new ExternalCommandError(`${f.program} failed: ${msg}`, failure);
}
