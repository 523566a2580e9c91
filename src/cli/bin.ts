/**
 * The qq2clone command (package.json bin: dist/cli.js): turns on Node's compile cache where Node has one (22.1 and
 * later; cached under $XDG_CACHE_HOME or ~/.cache, unless NODE_COMPILE_CACHE names a place or
 * NODE_DISABLE_COMPILE_CACHE turns it off), so that later runs skip compiling the CLI's code, starts the virsh
 * sessions the command will use (so that they connect while its code loads), then starts the CLI (main.ts, built as
 * dist/cli/main.mjs beside this file).
 */
import * as nodeModule from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectionOf, parseArgs } from './args';
import { BUILT_MANIFEST } from './commands/builtManifest';

const enableCompileCache = (nodeModule as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
if (enableCompileCache) {
  try {
    const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    enableCompileCache(process.env.NODE_COMPILE_CACHE ? undefined : path.join(cache, 'qq2clone', 'node-compile-cache'));
  } catch {
    // Without a cache the CLI only starts slower.
  }
}

/** The sessions of the command named on the command line, per the build's manifest (none for -h or a bad line). */
function startSessions(argv: readonly string[]): void {
  try {
    const { options, command } = parseArgs(argv);
    const count = options.help ? undefined : BUILT_MANIFEST?.find((c) => c.name === command)?.sessions;
    // Imported only here: -h does not load the code (and Node's child_process) it needs.
    const uri = connectionOf(options, process.env);
    // Not started here: each session starts its own (a failure to start is reported there).
    const notStarted = (): undefined => undefined;
    if (count) import('../libvirt/virsh/sessionProcess').then((m) => m.prestartSessions(uri, count)).catch(notStarted);
  } catch {
    // A bad command line: the CLI says what is wrong with it (run.ts).
  }
}
startSessions(process.argv.slice(2));

// A path in a variable: esbuild leaves the import to Node (main.mjs is the other build, not part of this file).
const main = './cli/main.mjs';
import(main).catch((e: unknown) => {
  process.stderr.write(`qq2clone: cannot load ${path.join(__dirname, main)}: ${String(e)} (reinstall, or run npm run build)\n`);
  process.exitCode = 19;
});
