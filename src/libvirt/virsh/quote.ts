/** Building one virsh interactive command line from an argument array. */
import { UsageError } from '../../core/errors';

/**
 * Quotes one argument for virsh's interactive parser: '...' with a single quote written as '\''.
 * TAB (filename completion) and line breaks (end of command) cannot be passed through a session.
 */
export function quoteVirshArg(arg: string): string {
  if (/[\t\n\r]/.test(arg)) throw new UsageError(`Argument ${JSON.stringify(arg)} contains a TAB or a line break.`);
  if (/^[A-Za-z0-9_./:=@+,-]+$/.test(arg) && !arg.startsWith('-')) return arg;
  if (/^--?[A-Za-z][A-Za-z0-9-]*$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * One session line for `args` (e.g. ['dumpxml', '--inactive', uuid]). Quoting does not stop virsh from reading an
 * argument that starts with `--` as an option: a name that comes from XML or from a user goes after `--` (virsh's
 * end of options), e.g. ['domuuid', '--', name].
 */
export function virshLine(args: readonly string[]): string {
  if (args.length === 0) throw new UsageError('Empty virsh command.');
  return args.map(quoteVirshArg).join(' ');
}
