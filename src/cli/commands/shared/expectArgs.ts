import { UsageError } from '../../../core/errors';

/** Throws a UsageError (exit 12) unless `args` has between `min` and `max` entries. */
export function expectArgs(command: string, usage: string, args: readonly string[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const got = args.length === 0 ? 'no arguments' : `${args.length} argument${args.length === 1 ? '' : 's'}`;
    throw new UsageError(`${command} takes ${usage || 'no arguments'}; got ${got}. Usage: qq2clone ${command} ${usage}`.trimEnd());
  }
}
