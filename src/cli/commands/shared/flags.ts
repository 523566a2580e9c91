import { UsageError } from '../../../core/errors';

export interface CommandFlags {
  readonly positional: string[];
  readonly values: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
}

/**
 * Splits a command's arguments into positionals and its own long options (`--timeout 5`, `--timeout=5`,
 * `--force`); an unknown `--word` is a usage error naming the command.
 */
export function commandFlags(command: string, usage: string, args: readonly string[], valued: readonly string[], flags: readonly string[]): CommandFlags {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const set = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(a);
    if (!m) {
      positional.push(a);
      continue;
    }
    const name = m[1]!;
    if (valued.includes(name)) {
      const v = m[2] ?? args[++i];
      if (v === undefined || v === '') throw new UsageError(`${command} takes ${usage}: --${name} needs a value.`);
      values.set(name, v);
    } else if (flags.includes(name) && m[2] === undefined) set.add(name);
    else throw new UsageError(`${command} takes ${usage}; unknown option --${name}.`);
  }
  return { positional, values, flags: set };
}

/** A whole number within [min, max] given to `--name`, or a usage error. */
export function intFlag(command: string, name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < min || n > max) throw new UsageError(`${command}: --${name} takes a whole number from ${min} to ${max}; got '${text}'.`);
  return n;
}
