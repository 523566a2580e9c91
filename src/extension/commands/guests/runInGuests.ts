import { asQq2Error } from '../../../core/errors';
import { runInGuests as run, summaryLine, type GuestRunResult } from '../../../libvirt/guests';
import { GuestRunTerminal, outcomeBlock } from '../../terminal/guestRun';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import { chooseTargets } from '../common/chooseTargets';
import { listSkips } from '../../ui/cloneWords';
import type { CommandContext, CommandDefinition } from '../types';
import { guestSettings } from './guestSettings';

/** Optional arguments (keybindings, other commands, tests): the command string and how to run it. */
export interface RunInGuestsArgs {
  readonly command?: string;
  /** How many guests at once (1: in number order). */
  readonly parallel?: number;
  readonly keepGoing?: boolean;
}

function argsOf(...xs: unknown[]): RunInGuestsArgs {
  for (const x of xs) if (typeof x === 'object' && x !== null && typeof (x as RunInGuestsArgs).command === 'string') return x as RunInGuestsArgs;
  return {};
}

const TITLE = 'Run in Guests';

async function askMode(n: number): Promise<{ parallel: number; keepGoing: boolean } | undefined> {
  const items = [
    { label: 'In number order, stop at the first failure', parallel: 1, keepGoing: false },
    { label: 'In number order, run all', parallel: 1, keepGoing: true },
    { label: `In parallel (${n} at once), stop starting at the first failure`, parallel: n, keepGoing: false },
    { label: `In parallel (${n} at once), run all`, parallel: n, keepGoing: true },
  ];
  const picked = await prompts.quickPick(items, { title: TITLE, placeHolder: 'How to run it' });
  return picked && { parallel: picked.parallel, keepGoing: picked.keepGoing };
}

/**
 * Runs a command with /bin/sh -c inside each selected running guest (or a SET's) through its guest agent: in
 * number order or in parallel (qq2clone.runInGuests.parallel at once), each clone's output under a header in one
 * terminal as it finishes, then a summary; stops at the first failure unless told to run all. Clones whose agent
 * does not answer are skipped and named. Args: (node?, nodes?, { command, parallel, keepGoing }?).
 */
export const runInGuestsCommand: CommandDefinition = {
  id: 'qq2clone.runInGuests',
  run: async (ctx: CommandContext, node?: unknown, nodes?: unknown, args?: unknown): Promise<{ result: GuestRunResult; text: string } | undefined> => {
    const targets = await chooseTargets(ctx, 'guest-exec', TITLE, node, nodes);
    if (!targets) return undefined;
    if (targets.clones.length === 0) {
      void prompts.notify('warning', `${TITLE}: nothing to do; skipped ${listSkips(targets.skipped)}.`);
      return undefined;
    }
    const given = argsOf(args, node);
    const command =
      given.command ??
      (await prompts.inputBox({
        title: `${TITLE} (${targets.clones.length} clones)`,
        prompt: 'Runs with /bin/sh -c inside each guest through its guest agent (no network needed), e.g. uname -a',
        placeHolder: 'uname -a',
      }));
    if (!command) return undefined;
    const mode =
      given.command !== undefined
        ? { parallel: Math.max(1, given.parallel ?? 1), keepGoing: given.keepGoing ?? false }
        : await askMode(guestSettings().runInGuestsParallel);
    if (!mode) return undefined;
    const term = new GuestRunTerminal(`qq2clone: run in guests (${targets.clones.length})`);
    term.terminal.show(false);
    const how = mode.parallel > 1 ? `${mode.parallel} at once` : 'in number order';
    term.write(`$ ${command}\n  in ${targets.clones.map((c) => `${c.id} (${c.name})`).join(', ')}, ${how}, ${mode.keepGoing ? 'running all' : 'stopping at the first failure'}\n`);
    for (const s of targets.skipped) term.write(`== ${s.what}: skipped: ${s.reason}\n`);
    ctx.output.info(`${TITLE}: ${command} on ${targets.clones.map((c) => `${c.template}#${c.id}`).join(', ')} (${how})`);
    try {
      const result = await run(ctx.host.service, targets.clones, command, {
        parallel: mode.parallel,
        keepGoing: mode.keepGoing,
        signal: term.closed.signal,
        ...(mode.parallel > 1 ? { onStart: (c) => term.write(`-- started in ${c.id} (${c.name})\n`) } : {}),
        onDone: (o) => term.write(outcomeBlock(o)),
      });
      const line = `${TITLE}: ${summaryLine(result)}.`;
      term.write(`\n${line}\n`);
      ctx.output[result.firstFailure ? 'warn' : 'info'](line);
      if (result.firstFailure) void prompts.notify('error', `${line} First failure: clone ${result.firstFailure.clone.id} (${result.firstFailure.clone.name}).`);
      else if (!uiSettings().quiet) void prompts.notify('info', line);
      return { result, text: term.text };
    } catch (e) {
      const err = asQq2Error(e);
      term.write(`\n${TITLE} failed: ${err.message}\n`);
      void prompts.notify('error', `${TITLE} failed: ${err.message}`);
      return undefined;
    }
  },
};
