/**
 * One CLI invocation: parse the options, load the settings, dispatch to the command, map any error to
 * `qq2clone: <message>` on stderr and the error class's exit code. Returns the exit code.
 */
import { parseArgs, type CliOptions } from './args';
import type { CliCommandEntry } from './commands/groups';
import { cliManifest, loadCliCommand } from './commands/manifest';
import type { CliCommand } from './commands/shared/types';
import { loadConfig, toolHome, type CliConfig } from './config';
import { CliContext, Output, type CliIo } from './context';
import { asQq2Error, CancelledError, hintOf, UsageError } from '../core/errors';
import type { LibvirtService, ServiceConfig } from '../libvirt/api';
import { describeSlowCall, onSlowCall } from '../libvirt/process/slowCalls';

/** -h's text for the commands (in -h order). */
export function helpText(commands: readonly CliCommandEntry[]): string {
  const rows = commands.map((c) => [`${c.name} ${c.usage}`.trimEnd(), c.summary]);
  // Usages longer than the column go on a line of their own, so one long usage does not push every summary off screen.
  const width = 30;
  return `Usage: qq2clone [OPTION]... COMMAND [ARG]...

Options (read left to right; -Q must come first):
  -c, --connection URI   libvirt connection URI (sets LIBVIRT_DEFAULT_URI)
  -t, --template NAME    template that clone commands work on (overrides TEMPLATE)
  -s, --storage LOCATION where new clone images go: an absolute path or a directory pool (overrides STORAGE)
  -r, --run / -n, --no-run       run / do not run new clones (override NORUN)
  -q, --quiet / -v, --verbose    less / all output (override QUIET)
  -Q, --quieter          no output at all except from commands whose output is their purpose
  -g, --use-spice / -f, --no-spice   connect / do not connect to spice graphics (override USE_SPICE)
  -S, --spicy / -V, --virt-viewer    spice client to use (override SPICY)
  -h, --help             this help

Commands (SET: comma-separated numbers, ranges a-b, states or all; ^ excludes, e.g. all,^running):
${rows.map(([u, s]) => (u!.length <= width ? `  ${u!.padEnd(width)}  ${s}` : `  ${u}\n  ${''.padEnd(width)}  ${s}`)).join('\n')}

Exit values: 10 file access, 11 missing software, 12 bad argument, 13 template, 14 external command,
15 libvirt XML, 16 libvirt action failed, 17 spice timeout, 18 wrong file type, 19 unexpected.
`;
}

/** Does `command` with `args` still print under -Q (the manual's list: its output is its purpose)? */
export function speaksUnderQuieter(command: CliCommand, args: readonly string[]): boolean {
  const s = command.speaksUnderQuieter;
  return typeof s === 'function' ? s(args) : s === true;
}

/** Exit status after an interruption: 128 + SIGINT, as shells report it (19 would say "a bug"). */
export const EXIT_INTERRUPTED = 130;

export type ServiceMaker = (config: ServiceConfig) => LibvirtService;

/**
 * What a run needs from outside: the terminal, the cancel signal, and the service: made by `makeService`, or, in the
 * built CLI, by what `loadService` loads once a command is to run (-h and a mistyped command load no service code).
 */
export type RunCliDeps = { readonly io: CliIo; readonly signal?: AbortSignal } & (
  | { readonly makeService: ServiceMaker }
  | { readonly loadService: () => Promise<ServiceMaker> }
);

export async function runCli(argv: readonly string[], deps: RunCliDeps): Promise<number> {
  const { io } = deps;
  // Until the options are read, -Q is judged from the first word alone (as the manual's -Q must be first).
  let options: CliOptions = { quieter: argv[0] === '-Q' || argv[0] === '--quieter', help: false };
  let config: CliConfig | undefined;
  let speaks = !options.quieter;
  let ctx: CliContext | undefined;
  // A slow libvirt call is named with its duration (stderr; not under -Q), so a slow connection explains itself.
  const stopSlowReports = onSlowCall((c) => {
    if (speaks) io.stderr(`qq2clone: slow: ${describeSlowCall(c)} (qq2clone check looks for known causes)\n`);
  });
  try {
    const parsed = parseArgs(argv);
    options = parsed.options;
    if (options.help || parsed.command === undefined) {
      if (options.help || !options.quieter) io.stdout(helpText(await cliManifest()));
      if (options.help) return 0;
      throw new UsageError('No command given; see the list above.');
    }
    const command = await loadCliCommand(parsed.command);
    if (!command) throw new UsageError(`Unknown command '${parsed.command}'; qq2clone -h lists the commands.`);
    speaks = !options.quieter || speaksUnderQuieter(command, parsed.args);
    const home = toolHome(io.env);
    config = loadConfig(home, io.env);
    const quiet = options.quiet ?? config.QUIET === '1';
    const out = new Output(io, !quiet, speaks);
    const makeService = 'makeService' in deps ? deps.makeService : await deps.loadService();
    ctx = new CliContext(options, config, home, out, io, deps.signal ?? new AbortController().signal, makeService);
    await command.run(ctx, parsed.args);
    return ctx.exitStatus;
  } catch (e) {
    const err = asQq2Error(e);
    // The message says what went wrong; the hint, when the error has one, says what to do about it.
    const hint = hintOf(err);
    if (speaks) io.stderr(`qq2clone: ${err.message}\n${hint && !err.message.includes(hint) ? `qq2clone: ${hint}\n` : ''}`);
    // Interrupted (Ctrl-C, SIGTERM): what was under way has been undone; exit as shells do for SIGINT.
    if (err instanceof CancelledError || deps.signal?.aborted) return EXIT_INTERRUPTED;
    return err.exitCode;
  } finally {
    stopSlowReports();
    ctx?.dispose();
  }
}
