/** Building one virsh interactive command line from an argument array. */
import { UsageError } from '../../core/errors';

/**
 * An argument that cannot be written on a virsh session line: it holds a control character (C0, U+0000-U+001F, or
 * DEL, U+007F). virsh reads session lines through its line editor, where these edit the line (DEL deletes the
 * character before it, Ctrl-U the line so far, ESC starts a key sequence, TAB completes, a line break ends the
 * command), so what virsh ran would not be what was written: a name `<DEL>x; destroy OTHER` ran `destroy OTHER`.
 */
export class ControlCharacterError extends UsageError {
  constructor(
    readonly arg: string,
    /** Index of the first control character in `arg`. */
    readonly index: number,
  ) {
    const code = arg.charCodeAt(index);
    const shown = arg.replace(/[\x00-\x1f\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    super(
      `"${shown.length > 200 ? `${shown.slice(0, 200)}...` : shown}" contains the control character ` +
        `U+${code.toString(16).padStart(4, '0').toUpperCase()} (column ${index + 1}), which cannot be passed to virsh: ` +
        'remove it (from the name, path or text it came from) and try again.',
    );
  }
}

const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Quotes one argument for virsh's interactive parser: '...' with a single quote written as '\''. Every other
 * character stands for itself inside single quotes, except the control characters, which the line editor acts
 * upon before virsh's parser sees the line: those are refused (ControlCharacterError), never written.
 */
export function quoteVirshArg(arg: string): string {
  const bad = CONTROL.exec(arg);
  if (bad) throw new ControlCharacterError(arg, bad.index);
  if (/^[A-Za-z0-9_./:=@+,-]+$/.test(arg) && !arg.startsWith('-')) return arg;
  if (/^--?[A-Za-z][A-Za-z0-9-]*$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * One session line for `args` (e.g. ['dumpxml', '--inactive', uuid]). Quoting does not stop virsh from reading an
 * argument that starts with `--` as an option: a name that comes from XML or from a user goes after `--` (virsh's
 * end of options), e.g. ['domuuid', '--', name]. Every argument that reaches a session goes through here.
 */
export function virshLine(args: readonly string[]): string {
  if (args.length === 0) throw new UsageError('Empty virsh command.');
  return args.map(quoteVirshArg).join(' ');
}
