/**
 * shutdown SET [--timeout S] [--force], reboot SET, reset SET: graceful power through the service (power.ts).
 * Shut Down waits up to S seconds (default 60) for the machines to be off; those still running are named, and
 * forced off with --force; without it the command fails (16) saying so.
 */
import type { CliCommand } from '../shared';
import { commandFlags, intFlag } from '../shared';
import { expectArgs } from '../shared';
import { CancelledError, hintOf, LibvirtError, Qq2Error } from '../../../core/errors';
import { operationAccepts } from '../../../core/operations';
import { parseSetOrThrow } from '../../../core/set';
import { power, type PowerOperation } from '../../../libvirt/guests';

const DONE: Record<PowerOperation, string> = { shutdown: 'Shut down', reboot: 'Rebooting', reset: 'Reset' };
const label = (c: { id: number; name: string }) => `${c.id} (${c.name})`;

export function powerCommand(op: PowerOperation, usage: string, summary: string): CliCommand {
  return {
    name: op,
    usage,
    summary,
    async run(ctx, args) {
      const f = commandFlags(op, usage, args, op === 'shutdown' ? ['timeout'] : [], op === 'shutdown' ? ['force'] : []);
      expectArgs(op, usage, f.positional, 1);
      const set = parseSetOrThrow(f.positional[0]!);
      const seconds = intFlag(op, 'timeout', f.values.get('timeout'), 60, 0, 86_400);
      const chosen = await ctx.clonesInSet(set, { command: op, accepts: (c) => operationAccepts(op, c.state) });
      const refs = chosen.map(({ template, id, uuid, name }) => ({ template, id, uuid, name }));
      if (op === 'shutdown') ctx.out.info(`Shutting down ${refs.map(label).join(', ')} (waiting up to ${seconds} s)…`);
      const r = await power(ctx.service(), op, refs, { signal: ctx.signal, timeoutMs: seconds * 1000 });
      for (const c of r.done) ctx.out.info(`${DONE[op]} ${label(c)}.`);
      for (const s of r.skipped) ctx.out.info(`Skipped ${label(s.clone)}: ${s.reason}`);
      for (const e of r.failed) ctx.out.error(`${op} ${label(e.clone)}: ${e.error.message}`);
      for (const h of new Set(r.failed.map((e) => hintOf(e.error)))) if (h) ctx.out.error(h);
      if (r.cancelled.length || ctx.signal.aborted) {
        throw new CancelledError(`Cancelled; not done: ${[...r.cancelled, ...r.stillRunning].map((c) => c.id).join(',')}.`);
      }
      let still = r.stillRunning;
      if (still.length && f.flags.has('force')) {
        ctx.out.info(`Still running after ${seconds} s: ${still.map(label).join(', ')}; forcing off (--force).`);
        const d = await ctx.service().run('destroy', still, { signal: ctx.signal });
        for (const c of d.done) ctx.out.info(`Forced off ${label(c)}.`);
        for (const e of d.failed) ctx.out.error(`destroy ${label(e.clone)}: ${e.error.message}`);
        still = [...d.failed.map((e) => e.clone), ...d.cancelled];
        if (d.failed[0]) throw new Qq2Error(`Force off failed for ${d.failed.length} machines.`, d.failed[0].error.exitCode);
      }
      if (still.length) {
        throw new LibvirtError(
          `Still running after ${seconds} s: ${still.map(label).join(', ')}. Their guests did not shut down (no ACPI handling or agent?): ` +
            `wait longer with --timeout, force them off with --force, or destroy ${still.map((c) => c.id).join(',')}.`,
        );
      }
      if (r.failed[0]) throw new Qq2Error(`${op} failed for ${r.failed.length} of ${refs.length} machines.`, r.failed[0].error.exitCode);
    },
  };
}
