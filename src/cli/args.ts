/**
 * The command line: `qq2clone [OPTION]... COMMAND [ARG]...` (manual: OPTIONS). Options are read left to right and
 * later ones override earlier ones; -Q/--quieter must be the first. Everything after the command word belongs to
 * the command (exec's command string may look like an option).
 */
import { UsageError } from '../core/errors';

export interface CliOptions {
  /** -Q: only commands whose output is their purpose print anything. */
  readonly quieter: boolean;
  /** -q (true) / -v (false); undefined: the QUIET setting decides. */
  readonly quiet?: boolean;
  /** -c URI */
  readonly connection?: string;
  /** -t NAME */
  readonly template?: string;
  /** -s LOCATION */
  readonly storage?: string;
  /** -r (true) / -n (false); undefined: the NORUN setting decides. */
  readonly run?: boolean;
  /** -g (true) / -f (false); undefined: USE_SPICE decides. */
  readonly useSpice?: boolean;
  /** -S (true: spicy) / -V (false: virt-viewer); undefined: SPICY decides. */
  readonly spicy?: boolean;
  /** -h */
  readonly help: boolean;
}

export interface ParsedArgs {
  readonly options: CliOptions;
  /** The command word, if any. */
  readonly command?: string;
  readonly args: readonly string[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Flag = (o: Mutable<CliOptions>) => void;
type Valued = (o: Mutable<CliOptions>, v: string) => void;

const FLAGS: Record<string, Flag> = {
  f: (o) => (o.useSpice = false),
  g: (o) => (o.useSpice = true),
  h: (o) => (o.help = true),
  n: (o) => (o.run = false),
  q: (o) => (o.quiet = true),
  r: (o) => (o.run = true),
  S: (o) => (o.spicy = true),
  v: (o) => (o.quiet = false),
  V: (o) => (o.spicy = false),
};
const VALUED: Record<string, Valued> = {
  c: (o, v) => (o.connection = v),
  s: (o, v) => (o.storage = v),
  t: (o, v) => (o.template = v),
};
const LONG: Record<string, string> = {
  connection: 'c',
  'no-spice': 'f',
  'use-spice': 'g',
  help: 'h',
  'no-run': 'n',
  quiet: 'q',
  quieter: 'Q',
  run: 'r',
  storage: 's',
  spicy: 'S',
  template: 't',
  verbose: 'v',
  'virt-viewer': 'V',
};

/** The table's own entry for `key` (never one of Object.prototype's: `--constructor` is no option). */
function entry<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Parses argv (without node and the script). Throws UsageError (exit 12) on unknown or incomplete options. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const o: Mutable<CliOptions> = { quieter: false, help: false };
  let i = 0;
  const apply = (letter: string, shown: string, inline: string | undefined, position: number): void => {
    if (letter === 'Q') {
      if (inline !== undefined) throw new UsageError(`Option ${shown} takes no value.`);
      if (position !== 0) throw new UsageError(`${shown} must be the first option (manual: OPTIONS, -Q/--quieter).`);
      o.quieter = true;
      return;
    }
    const valued = entry(VALUED, letter);
    if (valued) {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`Option ${shown} needs a value.`);
      valued(o, v);
      return;
    }
    if (inline !== undefined) throw new UsageError(`Option ${shown} takes no value.`);
    const flag = entry(FLAGS, letter);
    if (!flag) throw new UsageError(`Unknown option ${shown}; qq2clone -h lists the options.`);
    flag(o);
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const position = i;
    if (a === '--') {
      i++;
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const letter = entry(LONG, name);
      if (!letter) throw new UsageError(`Unknown option --${name}; qq2clone -h lists the options.`);
      apply(letter, `--${name}`, eq < 0 ? undefined : a.slice(eq + 1), position);
    } else if (a.startsWith('-') && a.length > 1) {
      // Short options may be bundled (-qn); a valued one takes the rest of the word or the next word (-tNAME, -t NAME).
      for (let k = 1; k < a.length; k++) {
        const letter = a[k]!;
        if (entry(VALUED, letter)) {
          apply(letter, `-${letter}`, k + 1 < a.length ? a.slice(k + 1) : undefined, position);
          break;
        }
        apply(letter, `-${letter}`, undefined, k === 1 ? position : -1);
      }
    } else {
      break;
    }
  }
  const command = argv[i];
  return { options: o, ...(command !== undefined ? { command } : {}), args: argv.slice(i + 1) };
}

/** The libvirt URI a run uses: -c, else $LIBVIRT_DEFAULT_URI, else qemu:///system. */
export function connectionOf(options: Pick<CliOptions, 'connection'>, env: NodeJS.ProcessEnv): string {
  return options.connection ?? env.LIBVIRT_DEFAULT_URI ?? 'qemu:///system';
}
