/**
 * Typed errors. Every failure the tool reports is one of these; each class carries the qq2clone manual's exit
 * code (EXIT VALUES, 10-19), a message that says what to do, and, when a process failed, its exit code and stderr.
 */

/** The manual's exit values. */
export const ExitCode = {
  NoPermission: 10,
  MissingDependency: 11,
  Usage: 12,
  Template: 13,
  ExternalCommand: 14,
  Xml: 15,
  Libvirt: 16,
  SpiceTimeout: 17,
  FileType: 18,
  Unexpected: 19,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ProcessFailure {
  /** The program and its arguments, for the output channel (never re-run as a shell string). */
  readonly command?: string;
  readonly exitCode?: number;
  readonly stderr?: string;
}

export class Qq2Error extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    readonly failure: ProcessFailure = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 10: no permission to access a file, or it does not exist. */
export class PermissionError extends Qq2Error {
  constructor(message: string, failure?: ProcessFailure) {
    super(message, ExitCode.NoPermission, failure);
  }
}

/** 11: a required program is not installed or not on PATH. */
export class MissingDependencyError extends Qq2Error {
  constructor(
    message: string,
    readonly program: string,
  ) {
    super(message, ExitCode.MissingDependency);
  }
}

/** 12: invalid argument or invalid action (malformed SET, bad name, nothing to act on...). */
export class UsageError extends Qq2Error {
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

/** 13: a template does not exist, or already exists. */
export class TemplateError extends Qq2Error {
  constructor(message: string) {
    super(message, ExitCode.Template);
  }
}

/** 14: an external command (qemu-img, shred, a viewer...) failed. */
export class ExternalCommandError extends Qq2Error {
  constructor(message: string, failure?: ProcessFailure) {
    super(message, ExitCode.ExternalCommand, failure);
  }
}

/** 15: a libvirt XML document is invalid or unusable. */
export class XmlError extends Qq2Error {
  constructor(message: string) {
    super(message, ExitCode.Xml);
  }
}

/** 16: libvirt refused or failed an action. */
export class LibvirtError extends Qq2Error {
  constructor(message: string, failure?: ProcessFailure) {
    super(message, ExitCode.Libvirt, failure);
  }
}

/** 16: QEMU, started by libvirt, may not open an image file (a failed action, not a refused connection). */
export class ImageAccessError extends LibvirtError {
  constructor(
    message: string,
    /** The file QEMU was refused. */
    readonly file: string,
    /** One sentence that says what to do. */
    readonly hint: string,
    failure?: ProcessFailure,
  ) {
    super(message, failure);
  }
}

/** 17: a SPICE display did not become available before the timeout. */
export class SpiceTimeoutError extends Qq2Error {
  constructor(message: string) {
    super(message, ExitCode.SpiceTimeout);
  }
}

/** 18: a file is of the wrong type or does not exist. */
export class FileTypeError extends Qq2Error {
  constructor(message: string) {
    super(message, ExitCode.FileType);
  }
}

/** 19: a bug, or a highly unexpected failure. */
export class UnexpectedError extends Qq2Error {
  constructor(message: string, failure?: ProcessFailure) {
    super(message, ExitCode.Unexpected, failure);
  }
}

/** The operation was cancelled by the user (AbortSignal / CancellationToken). */
export class CancelledError extends Qq2Error {
  constructor(message = 'Cancelled.') {
    super(message, ExitCode.Unexpected);
  }
}

/** Why libvirt cannot be reached, so the UI can say what to do. */
export type UnavailableReason = 'not-installed' | 'daemon-down' | 'permission-denied' | 'other';

/** libvirt cannot be used at all: no virsh, no daemon, or no permission on the socket. */
export class LibvirtUnavailableError extends Qq2Error {
  constructor(
    message: string,
    readonly reason: UnavailableReason,
    /** One sentence that says what to do. */
    readonly hint: string,
    failure?: ProcessFailure,
  ) {
    super(
      message,
      reason === 'not-installed'
        ? ExitCode.MissingDependency
        : reason === 'permission-denied'
          ? ExitCode.NoPermission
          : ExitCode.Libvirt,
      failure,
    );
  }
}

/** The sentence that says what to do about `e`, when it carries one (LibvirtUnavailableError's hint and the like). */
export function hintOf(e: unknown): string | undefined {
  const h = e instanceof Error ? (e as { hint?: unknown }).hint : undefined;
  return typeof h === 'string' && h.trim() !== '' ? h : undefined;
}

/** Any thrown value as a Qq2Error (unknown values become UnexpectedError). */
export function asQq2Error(e: unknown): Qq2Error {
  if (e instanceof Qq2Error) return e;
  if (e instanceof Error) return new UnexpectedError(e.message);
  return new UnexpectedError(String(e));
}
