import { asQq2Error } from '../../../core/errors';
import type { CloneInfo } from '../../../libvirt/api';
import { describeReports, startExec, type ExecReport } from '../../terminal/exec';
import type { ExecRecord } from '../../terminal/driver';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import type { CommandContext } from '../types';
import { askCommand, remember } from './commandHistory';
import { chooseClones } from './targets';

/** Optional third argument of the exec commands (other commands, keybindings, tests): the command string. */
export interface ExecArgs {
  readonly command?: string;
}

function execArgs(x: unknown): ExecArgs {
  return typeof x === 'object' && x !== null && typeof (x as ExecArgs).command === 'string' ? (x as ExecArgs) : {};
}

/**
 * The body of both exec commands: choose clones and the command, read each clone's disks, run the driver in
 * terminals, then say how it went. Resolves with the terminals' reports (undefined when cancelled or failed).
 */
export async function runExec(
  ctx: CommandContext,
  parallel: boolean,
  node?: unknown,
  nodes?: unknown,
  args?: unknown,
): Promise<ExecReport[] | undefined> {
  const title = parallel ? 'Execute in parallel' : 'Execute';
  const clones = await chooseClones(ctx, title, node, nodes);
  if (!clones) return undefined;
  const command = execArgs(args).command ?? execArgs(node).command ?? (await askCommand(ctx.globalState, `${title} on ${clones.length} clones`));
  if (command === undefined) return undefined;
  await remember(ctx.globalState, command);
  let records: ExecRecord[];
  try {
    records = await prompts.progress(`${title}: reading disks`, clones.length, async (signal, done) => {
      let n = 0;
      return Promise.all(
        clones.map(async (c: CloneInfo) => {
          const disks = await ctx.host.service.cloneDisks(c.uuid, signal);
          done(++n);
          return { id: c.id, name: c.name, uuid: c.uuid, disks };
        }),
      );
    });
  } catch (e) {
    const err = asQq2Error(e);
    ctx.output.error(`${title}: ${err.message}`);
    void prompts.notify('error', `${title}: could not read the clones' disks: ${err.message}`);
    return undefined;
  }
  ctx.output.info(`${title}: ${command} on ${records.map((r) => `${r.id} ${r.name}`).join(', ')}`);
  const session = startExec(records, command, { parallel, uri: ctx.host.service.config.uri });
  const reports = await session.done;
  const { ok, message } = describeReports(reports);
  ctx.output[ok ? 'info' : 'warn'](message);
  if (!ok) void prompts.notify('error', message);
  else if (!uiSettings().quiet) void prompts.notify('info', message);
  return reports;
}
