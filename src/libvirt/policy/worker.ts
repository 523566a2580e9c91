/**
 * The hook's worker (bundled as dist/hook-worker.js, copied next to the hook by `hook install`): started detached
 * by the hook at `release`, with the saved domain XML, the hook's last argument and the hook's pid. It waits for
 * the hook to have returned (libvirt finishes the stop only then), asks libvirt for the state reason when the hook
 * was given "-", and applies the clone's policy. It prints nothing; the action log says what it did.
 */
import * as fs from 'node:fs/promises';
import { createLibvirtService } from '..';
import { parseDomain } from '../domain';
import { applyPolicy } from './apply';
import { reasonOfHookArg } from '../../core/powerOffPolicy';
import { hookLog, hookPaths } from './paths';
import { readTrust } from './trustRecord';
import { WORKER_OK } from './install';
import { SYSTEM_URI } from './hookScript';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The dry run `hook status` asks for (--check STATE): the record of trusted folders is there and safe, and the
 * system daemon answers. Prints WORKER_OK, or the problem on stderr with exit status 1.
 */
async function check(stateDir: string): Promise<void> {
  const trust = await readTrust(stateDir);
  if (trust.problem) throw new Error(trust.problem);
  if (!trust.storage.length) throw new Error(`${stateDir}: no trusted storage folder is recorded; run sudo qq2clone hook install again`);
  const svc = createLibvirtService({ uri: SYSTEM_URI, home: stateDir });
  try {
    await svc.probe();
  } finally {
    svc.dispose();
  }
  process.stdout.write(`${WORKER_OK}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  const [file, reasonArg, hookPid] = argv;
  if (!file) return;
  const xml = await fs.readFile(file, 'utf8').catch(() => '');
  await fs.rm(file, { force: true });
  const d = xml ? parseDomain(xml) : undefined;
  if (!d?.meta || !d.uuid || !d.meta.policy) return;
  const pid = Number(hookPid);
  for (let i = 0; Number.isInteger(pid) && pid > 1 && alive(pid) && i < 600; i++) await new Promise((r) => setTimeout(r, 50));
  const paths = hookPaths();
  // What it may touch comes from the record install wrote, never from the domain's bookkeeping (trust.ts).
  const trust = await readTrust(paths.stateDir);
  const svc = createLibvirtService({
    uri: SYSTEM_URI,
    home: paths.stateDir,
    templateDir: trust.templateDirs[0] ?? `${paths.stateDir}/no-template-dir`,
    storage: trust.storage[0] ?? `${paths.stateDir}/no-storage`,
  });
  try {
    const reason = reasonOfHookArg(reasonArg);
    // A daemon restarting while the worker runs: tried again for about two minutes before the failure is logged.
    const retry = { tries: 25, pauseMs: 5000 };
    const o = { ...(reason ? { reason } : {}), by: 'hook' as const, trust, logFile: hookLog(paths), waitOffMs: 10_000, retry };
    await applyPolicy(svc, { uuid: d.uuid, name: d.name ?? d.uuid, meta: d.meta }, o);
  } finally {
    svc.dispose();
  }
}

const args = process.argv.slice(2);
if (args[0] === '--check') {
  check(args[1] ?? hookPaths().stateDir).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
} else {
  main(args).then(
    () => process.exit(0),
    () => process.exit(0),
  );
}
