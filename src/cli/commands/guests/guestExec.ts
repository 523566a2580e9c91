import type { CliCommand } from '../shared';
import { commandFlags, intFlag } from '../shared';
import { expectArgs } from '../shared';
import { CancelledError, ExternalCommandError, LibvirtError } from '../../../core/errors';
import { operationAccepts } from '../../../core/operations';
import { parseSetOrThrow } from '../../../core/set';
import { runInGuests, execStatusText, summaryLine, type GuestRunOutcome } from '../../../libvirt/guests';
import type { CliContext } from '../../context';

const USAGE = 'SET COMMAND-STRING [--parallel N] [--keep-going]';
const label = (c: { id: number; name: string }) => `${c.id} (${c.name})`;

function show(ctx: CliContext, o: GuestRunOutcome): void {
  if (o.kind === 'skipped') return ctx.out.error(`skipped ${label(o.clone)}: ${o.reason}`);
  if (o.kind === 'error') return ctx.out.error(`== ${label(o.clone)}: could not run: ${o.error.message}`);
  const s = o.status;
  ctx.out.result(`== ${label(o.clone)}: ${execStatusText(s)} (${(o.ms / 1000).toFixed(1)} s)${s.truncated ? ', output truncated by the agent' : ''}`);
  if (s.stdout) ctx.out.result(s.stdout);
  if (s.stderr) ctx.io.stderr(s.stderr.endsWith('\n') ? s.stderr : `${s.stderr}\n`);
}

/**
 * qq2clone guest-exec SET COMMAND-STRING: runs COMMAND-STRING with /bin/sh -c inside each running machine's guest
 * through its guest agent (no network), in number order or N at a time; each machine's output under a header as
 * it finishes. Stops taking machines at the first failure unless --keep-going; exit 14 naming the first failing
 * machine. Machines whose agent does not answer are skipped and named.
 */
export const guestExecCliCommand: CliCommand = {
  name: 'guest-exec',
  usage: USAGE,
  summary: 'Run COMMAND-STRING inside each running guest in SET through its guest agent; --parallel N at once; --keep-going past failures.',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    const f = commandFlags('guest-exec', USAGE, args, ['parallel'], ['keep-going']);
    expectArgs('guest-exec', USAGE, f.positional, 2);
    const set = parseSetOrThrow(f.positional[0]!);
    const parallel = intFlag('guest-exec', 'parallel', f.values.get('parallel'), 1, 1, 64);
    const chosen = await ctx.clonesInSet(set, { command: 'guest-exec', accepts: (c) => operationAccepts('guest-exec', c.state) });
    const r = await runInGuests(ctx.service(), chosen, f.positional[1]!, {
      parallel,
      keepGoing: f.flags.has('keep-going'),
      signal: ctx.signal,
      onDone: (o) => show(ctx, o),
    });
    ctx.out.info(`guest-exec: ${summaryLine(r)}.`);
    if (r.cancelled) throw new CancelledError(`Cancelled; not run: ${r.notRun.map((c) => c.id).join(',') || 'none'}.`);
    const first = r.firstFailure;
    if (first) {
      const how = first.kind === 'ran' ? `the command ended with ${execStatusText(first.status)}` : first.kind === 'error' ? `it could not run: ${first.error.message}` : '';
      const notRun = r.notRun.length ? `; not run for ${r.notRun.map((c) => c.id).join(',')}` : '';
      throw new ExternalCommandError(`guest-exec failed in machine ${label(first.clone)}: ${how}${notRun}.`, {
        ...(first.kind === 'ran' && first.status.exitCode !== undefined ? { exitCode: first.status.exitCode } : {}),
      });
    }
    if (!r.outcomes.some((o) => o.kind === 'ran')) {
      throw new LibvirtError(`No guest agent answered in ${chosen.map(label).join(', ')}: install and start qemu-guest-agent in the guests (with a virtio channel org.qemu.guest_agent.0).`);
    }
  },
};
