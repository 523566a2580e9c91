/** The typed errors of disk access through libguestfs (see core/errors.ts for the exit codes). */
import { FileTypeError, MissingDependencyError, PermissionError, Qq2Error, ExitCode, UsageError, ExternalCommandError } from '../../core/errors';

/** The packages that make disk access work (Debian names), as the error messages name them. */
export const GUESTFS_PACKAGES = 'libguestfs-tools python3-guestfs linux-image-cloud-amd64';
export const INSTALL_HINT = `sudo apt-get install --no-install-recommends ${GUESTFS_PACKAGES}`;

/** A path inside the guest that cannot be used as asked; `errno` is the guest's error name (ENOENT, EEXIST...). */
export class GuestPathError extends Qq2Error {
  constructor(
    message: string,
    readonly errno: string | undefined,
  ) {
    super(message, errno === 'ENOENT' || errno === 'EACCES' ? ExitCode.NoPermission : ExitCode.FileType);
  }
}

/** The disks use LVM, whose volumes cannot be told apart when the template's image is attached too. */
export class LvmBaseError extends FileTypeError {}

/** A reply of the helper that reports a failure. */
export interface HelperFailure {
  readonly error: string;
  readonly errno?: string;
  readonly kind?: string;
}

/** The typed error for a failed helper call. `what` names the disk set for messages. */
export function guestfsError(f: HelperFailure, what: string): Qq2Error {
  switch (f.kind) {
    case 'missing':
      return new MissingDependencyError(`libguestfs's Python binding is not installed: ${INSTALL_HINT}`, 'python3-guestfs');
    case 'launch': {
      if (/suitable kernel/.test(f.error)) {
        return new MissingDependencyError(`libguestfs found no kernel for its appliance: sudo apt-get install --no-install-recommends linux-image-cloud-amd64`, 'linux-image-cloud-amd64');
      }
      const [first, ...log] = f.error.split('\n');
      if (/Failed to get "write" lock|Is another process using the image/.test(f.error)) {
        return new PermissionError(
          `The disk of ${what} is open for writing in another program (a running machine, or another qq2clone disk view or command): close that, then retry.`,
          { command: 'libguestfs launch', stderr: log.join('\n') },
        );
      }
      return new ExternalCommandError(`The libguestfs appliance for ${what} did not start: ${first} (its log is in the output).`, { command: 'libguestfs launch', stderr: log.join('\n') });
    }
    case 'encrypted':
      return new FileTypeError(`Cannot open ${what}: ${f.error}.`);
    case 'nofs':
      return new FileTypeError(`Cannot open ${what}: ${f.error} (no partition holds a filesystem libguestfs knows).`);
    case 'lvm':
      return new LvmBaseError(`Cannot compare ${what}: ${f.error}.`);
    case 'readonly':
      return new PermissionError(`${what} is open read-only: ${f.error}.`);
    case 'exists':
    case 'notfound':
      return new GuestPathError(f.error, f.kind === 'exists' ? 'EEXIST' : 'ENOENT');
    case 'toolarge':
      return new GuestPathError(f.error, 'EFBIG');
    case 'usage':
      return new UsageError(f.error);
    default:
      return new GuestPathError(`${f.error} (in ${what})`, f.errno);
  }
}
