import type { CliCommand } from '../shared';
import { commandFlags, expectArgs, intFlag } from '../shared';
import { operationAccepts } from '../../../core/operations';
import type { CloneInfo } from '../../../libvirt/api';
import { USAGE_COLUMNS, UsageSampler, alignTable, hostText, usageRow, type UsageSnapshot } from '../../../libvirt/stats';
import type { CliContext } from '../../context';

const USAGE = '[SET] [--once] [--json] [--interval SECONDS]';

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** The running (or paused) clones of the SET now; none running is not an error for the default SET "all". */
async function chosenClones(ctx: CliContext, setText: string | undefined): Promise<CloneInfo[]> {
  const accepts = (c: CloneInfo) => operationAccepts('top', c.state);
  if (setText !== undefined) return ctx.clonesInSet(setText, { command: 'top', accepts });
  const { clones } = await ctx.templateClones();
  return clones.filter((c) => !c.staging && accepts(c));
}

function snapshotJson(clones: readonly CloneInfo[], snap: UsageSnapshot): string {
  const host = { ...snap.host, cpus: snap.hostInfo.cpus };
  const rows = clones.map((c) => ({ ...snap.domains.get(c.name), id: c.id, name: c.name, state: c.state }));
  return JSON.stringify({ at: new Date(snap.at).toISOString(), seconds: snap.seconds, host, clones: rows });
}

function snapshotTable(clones: readonly CloneInfo[], snap: UsageSnapshot): string {
  const rows = [USAGE_COLUMNS, ...clones.map((c) => usageRow(c.id, c.name, snap.domains.get(c.name)))];
  return `${hostText(snap.host, snap.hostInfo)}\n${alignTable(rows)}${clones.length ? '' : '\n(no running machine)'}`;
}

/**
 * qq2clone top [SET]: CPU (percent of each machine's vCPUs, and the time it waited for a host CPU), memory in use,
 * disk and network rates of the running machines of SET (all by default) and the host's CPU and memory, from one
 * `virsh domstats` per refresh. On a terminal the table is redrawn every interval until interrupted; --once prints
 * one snapshot (two samples an interval apart); --json prints JSON (one object per refresh, one line each).
 */
export const topCliCommand: CliCommand = {
  name: 'top',
  usage: USAGE,
  summary: 'Show CPU, memory, disk and network use of running machines in SET (default all) and of the host; --once, --json.',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    const f = commandFlags('top', USAGE, args, ['interval'], ['once', 'json']);
    expectArgs('top', USAGE, f.positional, 0, 1);
    const seconds = intFlag('top', 'interval', f.values.get('interval'), 2, 1, 3600);
    const once = f.flags.has('once');
    const json = f.flags.has('json');
    const redraw = !once && !json && ctx.io.stdoutIsTTY === true;
    const sampler = new UsageSampler(ctx.service());
    let clones = await chosenClones(ctx, f.positional[0]);
    // The first sample gives memory only: rates need the one after it.
    await sampler.sample(clones.map((c) => c.name), ctx.signal);
    for (;;) {
      await sleep(seconds * 1000, ctx.signal);
      if (ctx.signal.aborted) return;
      const snap = await sampler.sample(clones.map((c) => c.name), ctx.signal);
      const text = json ? snapshotJson(clones, snap) : snapshotTable(clones, snap);
      ctx.out.result(redraw ? `\x1b[H\x1b[2J${text}` : once || json ? text : `${text}\n`);
      if (once) return;
      clones = await chosenClones(ctx, f.positional[0]);
    }
  },
};
