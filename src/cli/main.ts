// The qq2clone-compatible command line (manual: qq2clone(1)); see run.ts. Built as dist/cli/main.mjs with its
// chunks (bin.ts starts it): what is imported here is loaded for every command, -h included; the commands' groups
// and the service are loaded when a command runs (commands/groups.ts, loadService below).
import { setMaxListeners } from 'node:events';
import { EXIT_INTERRUPTED, runCli } from './run';

const abort = new AbortController();
// One signal reaches every operation of a batch (each virsh command and process listens while it runs).
setMaxListeners(0, abort.signal);
// The first signal cancels: running work is stopped and undone, then the CLI exits 130 (run.ts). A second one
// exits at once.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (abort.signal.aborted) process.exit(EXIT_INTERRUPTED);
    abort.abort();
  });
}

runCli(process.argv.slice(2), {
  io: {
    stdout: (t) => process.stdout.write(t),
    stdoutBytes: (b) => process.stdout.write(b),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    ask: async (question, signal) => {
      const readline = await import('node:readline/promises');
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question, { signal });
      } finally {
        rl.close();
      }
    },
  },
  loadService: async () => (await import('../libvirt')).createLibvirtService,
  signal: abort.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`qq2clone: unexpected failure: ${String(e)}\n`);
    process.exitCode = 19;
  },
);
