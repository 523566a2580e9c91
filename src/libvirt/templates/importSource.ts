/** What import-template's first argument names: a domain XML file (a full path) or a libvirt domain. Pure. */
import * as path from 'node:path';
import { UsageError } from '../../core/errors';

/** A path when it contains a '/' (it must then be absolute, as the manual says); otherwise a domain name. */
export function importSourceKind(arg: string): 'path' | 'domain' {
  if (arg.trim() === '') throw new UsageError('Name a libvirt domain or the full path of a domain XML file to import.');
  if (!arg.includes('/')) return 'domain';
  if (!path.isAbsolute(arg)) {
    throw new UsageError(`"${arg}" is a relative path: give the full path of the domain XML file (e.g. ${path.resolve(arg)}).`);
  }
  if (arg.includes('\0')) throw new UsageError('The path contains a NUL character.');
  return 'path';
}
