/**
 * What a template name and an import path may be. A template is the file <TEMPLATE_DIR>/<name>.xml and its clones
 * are named after it, so a name must be a safe file name and a valid libvirt domain name. Pure: no I/O.
 */
import * as path from 'node:path';
import { UsageError } from '../core/errors';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** Throws UsageError (exit 12) unless `name` can name a template; returns it. */
export function checkTemplateName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(
      `"${name}" is not a valid template name: use 1-64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit.`,
    );
  }
  if (name.endsWith('.xml')) throw new UsageError(`"${name}": a template name must not end in .xml.`);
  return name;
}

/** import-template's first argument is a path when it contains a '/'; it must then be absolute (the manual). */
export function importSourceKind(arg: string): 'path' | 'domain' {
  if (!arg.includes('/')) return 'domain';
  if (!path.isAbsolute(arg)) {
    throw new UsageError(`"${arg}" is a relative path: give the full path of the domain XML file (e.g. ${path.resolve(arg)}).`);
  }
  if (arg.includes('\0')) throw new UsageError('The path contains a NUL character.');
  return 'path';
}
