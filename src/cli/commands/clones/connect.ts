import type { CliCommand } from '../shared';
import type { CliContext } from '../../context';
import { expectArgs } from '../shared';
import { asQq2Error, CancelledError, MissingDependencyError, Qq2Error, SpiceTimeoutError } from '../../../core/errors';
import { operationAccepts } from '../../../core/operations';
import { parseSetOrThrow, resolveSet } from '../../../core/set';
import type { CloneInfo } from '../../../libvirt/api';
import { forEachBounded } from '../../../core/limit';
import { chooseViewer, CONNECTS_AT_ONCE, graphicsOf, installedViewers, launchViewer, viewerCommandFor, virshFor, waitForSpice } from '../../../libvirt/display';

const label = (c: { id: number; name: string }) => `${c.id} (${c.name})`;

/** Starts the clones of `chosen` that are not running; returns the errors of those that failed, by UUID. */
async function startStopped(ctx: CliContext, chosen: readonly CloneInfo[]): Promise<Map<string, Qq2Error>> {
  const refs = chosen.filter((c) => operationAccepts('start', c.state)).map(({ template, id, uuid, name }) => ({ template, id, uuid, name }));
  if (!refs.length) return new Map();
  const r = await ctx.service().run('start', refs, { signal: ctx.signal });
  for (const c of r.done) ctx.out.info(`Started ${label(c)}.`);
  for (const f of r.failed) ctx.out.error(`start ${label(f.clone)}: ${f.error.message}`);
  if (r.cancelled.length) throw new CancelledError(`Cancelled; not started: ${r.cancelled.map((c) => c.id).join(',')}.`);
  return new Map(r.failed.map((f) => [f.clone.uuid, f.error]));
}

/** Opens the chosen viewer on one running clone once its SPICE display has an address. */
async function openViewer(ctx: CliContext, clone: CloneInfo, viewer: 'virt-viewer' | 'spicy', seconds: number): Promise<void> {
  let address: string;
  try {
    address = await waitForSpice(virshFor(ctx.service()), clone.uuid, seconds * 1000, ctx.signal);
  } catch (e) {
    if (!(e instanceof SpiceTimeoutError)) throw e;
    throw new SpiceTimeoutError(
      `The SPICE display of ${label(clone)} had no address within ${seconds} s: check that it runs, or raise S_TIMEOUT (qq2clone config edit S_TIMEOUT).`,
    );
  }
  const command = viewerCommandFor(viewer, installedViewers(), ctx.uri, clone.uuid, address);
  await launchViewer(command);
  ctx.out.info(`Opened ${command.command} on ${label(clone)}.`);
}

/** Are SPICE connections on: -g, or USE_SPICE=1 without -f? */
export function spiceWanted(ctx: CliContext): boolean {
  return ctx.options.useSpice ?? ctx.config.USE_SPICE === '1';
}

/**
 * Opens virt-viewer or spicy (-V/-S, SPICY; the other one when the chosen one is missing) with the connection URI
 * on each running clone of `clones` that has SPICE graphics; one without is mentioned and left alone. Returns the
 * errors of the viewers that failed (exit 11 when a clone needs a viewer and none is installed: thrown).
 */
export async function openViewers(ctx: CliContext, clones: readonly CloneInfo[]): Promise<Qq2Error[]> {
  const spiceClones: CloneInfo[] = [];
  for (const clone of clones) {
    const types = graphicsOf(await ctx.service().domainXml(clone.uuid, { inactive: false, signal: ctx.signal })).map((g) => g.type);
    if (types.includes('spice')) spiceClones.push(clone);
    else ctx.out.info(`${label(clone)} has no SPICE graphics (${types.length ? `its graphics: ${types.join(', ')}` : 'no graphics device'}); no viewer for it.`);
  }
  const viewer = chooseViewer((ctx.options.spicy ?? ctx.config.SPICY === '1') ? 'spicy' : 'virt-viewer', installedViewers());
  if (spiceClones.length && !viewer) {
    throw new MissingDependencyError(
      `Neither virt-viewer nor spicy is installed (or on PATH), so the SPICE graphics of ${spiceClones.map(label).join(', ')} cannot be shown: ` +
        'install virt-viewer (or spicy), or use -f (USE_SPICE=0) to only start the machines.',
      'virt-viewer',
    );
  }
  // A few at a time: each waits for its display (polling) and then opens a viewer.
  const opened: (Qq2Error | undefined)[] = spiceClones.map(() => new CancelledError());
  await forEachBounded(
    spiceClones,
    CONNECTS_AT_ONCE,
    async (c, i) => {
      opened[i] = await openViewer(ctx, c, viewer!, Number(ctx.config.S_TIMEOUT)).then(() => undefined, (e: unknown) => asQq2Error(e));
    },
    ctx.signal,
  );
  const errors: Qq2Error[] = [];
  opened.forEach((e, i) => {
    if (!e) return;
    ctx.out.error(`connect ${label(spiceClones[i]!)}: ${e.message}`);
    errors.push(e);
  });
  return errors;
}

/** Throws the first cancellation among `errors`, else one error for all of them (the first one's exit code). */
export function throwConnectErrors(errors: readonly Qq2Error[], of: number): void {
  const cancelled = errors.find((e) => e instanceof CancelledError);
  if (cancelled) throw cancelled;
  if (errors.length) throw new Qq2Error(`connect failed for ${errors.length} of ${of} machines.`, errors[0]!.exitCode);
}

/**
 * qq2clone connect SET: starts every machine of SET that is not running, then, when SPICE connections are on
 * (-g, or USE_SPICE=1 without -f), opens a viewer on each clone with SPICE graphics (see openViewers). Exit 11 when
 * a clone needs a viewer and none is installed, 17 when a display does not appear within S_TIMEOUT seconds;
 * otherwise the first failure's code.
 */
export const connectCommand: CliCommand = {
  name: 'connect',
  usage: 'SET',
  summary: "Start the machines in SET that aren't running and open virt-viewer or spicy on their SPICE graphics.",
  async run(ctx, args) {
    expectArgs('connect', 'SET', args, 1);
    const set = parseSetOrThrow(args[0]!);
    const { clones } = await ctx.templateClones();
    const chosen = resolveSet(set, clones, { command: 'connect' });
    const failures = await startStopped(ctx, chosen);
    const errors = [...failures.values()];
    const useSpice = spiceWanted(ctx);
    if (!useSpice) ctx.out.info('SPICE connections are off (-f or USE_SPICE=0): the machines were only started.');
    if (useSpice) errors.push(...(await openViewers(ctx, chosen.filter((c) => !failures.has(c.uuid)))));
    throwConnectErrors(errors, chosen.length);
  },
};
