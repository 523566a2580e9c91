import type { CliCommand } from '../shared';
import type { CliContext } from '../../context';
import { expectArgs } from '../shared';
import { CancelledError, MissingDependencyError, Qq2Error, SpiceTimeoutError } from '../../../core/errors';
import { parseSetOrThrow } from '../../../core/set';
import type { CloneInfo } from '../../../libvirt/api';
import type { Connected, ConnectSettings, NotConnected } from '../../../libvirt/display';

const label = (c: { id: number; name: string }) => `${c.id} (${c.name})`;

/** Are SPICE connections on: -g, or USE_SPICE=1 without -f? */
export function spiceWanted(ctx: CliContext): boolean {
  return ctx.options.useSpice ?? ctx.config.USE_SPICE === '1';
}

/** -g/-f and USE_SPICE, -V/-S and SPICY, S_TIMEOUT. */
function connectSettings(ctx: CliContext): ConnectSettings {
  return {
    useSpice: spiceWanted(ctx),
    viewer: (ctx.options.spicy ?? ctx.config.SPICY === '1') ? 'spicy' : 'virt-viewer',
    spiceTimeout: Number(ctx.config.S_TIMEOUT),
  };
}

/** The error (with its exit code) of a clone not connected, or undefined when it is not an error of its own. */
function connectError(n: NotConnected): Qq2Error | undefined {
  const { clone, why } = n;
  switch (why.kind) {
    case 'spice-timeout':
      return new SpiceTimeoutError(
        `The SPICE display of ${label(clone)} had no address within ${why.seconds} s: check that it runs, or raise S_TIMEOUT (qq2clone config edit S_TIMEOUT).`,
      );
    case 'failed':
      return why.error;
    case 'cancelled':
      return new CancelledError();
    case 'no-graphics': // a line of information
    case 'not-spice':
    case 'start-failed': // said when the start ended
    case 'no-viewer': // said once for all of them
      return undefined;
  }
}

/** The line said of a clone that needs no viewer. */
function withoutSpice(n: NotConnected): string | undefined {
  if (n.why.kind === 'no-graphics') return `${label(n.clone)} has no SPICE graphics (no graphics device); no viewer for it.`;
  if (n.why.kind === 'not-spice') return `${label(n.clone)} has no SPICE graphics (its graphics: ${n.why.types.join(', ')}); no viewer for it.`;
  return undefined;
}

/**
 * The service's connect (libvirt/display/connect.ts) on `clones`, said as the CLI says it: each start, each viewer
 * opened, each clone without SPICE graphics. Throws: exit 11 when a clone needs a viewer and none is installed, the
 * cancellation, else one error for the clones that failed (the first one's exit code, 17 for a SPICE timeout).
 */
export async function connectAndReport(ctx: CliContext, clones: readonly CloneInfo[]): Promise<void> {
  const failures: Qq2Error[] = [];
  const errors: Qq2Error[] = [];
  // Loaded here, not with the clones/ group: list and clone without SPICE do not load the display code.
  const { connectClones } = await import('../../../libvirt/display');
  const r = await connectClones(ctx.service(), clones, connectSettings(ctx), {
    signal: ctx.signal,
    onStarted: (s) => {
      for (const c of s.done) ctx.out.info(`Started ${label(c)}.`);
      for (const f of s.failed) ctx.out.error(`start ${label(f.clone)}: ${f.error.message}`);
      failures.push(...s.failed.map((f) => f.error));
    },
    onClone: (o: Connected | NotConnected) => {
      if ('command' in o) return ctx.out.info(`Opened ${o.command.command} on ${label(o.clone)}.`);
      const info = withoutSpice(o);
      if (info) ctx.out.info(info);
      const e = connectError(o);
      if (!e) return;
      ctx.out.error(`connect ${label(o.clone)}: ${e.message}`);
      errors.push(e);
    },
  });
  if (r.started?.cancelled.length) throw new CancelledError(`Cancelled; not started: ${r.started.cancelled.map((c) => c.id).join(',')}.`);
  if (!r.spice) ctx.out.info('SPICE connections are off (-f or USE_SPICE=0): the machines were only started.');
  const viewerless = r.notConnected.filter((n) => n.why.kind === 'no-viewer').map((n) => n.clone);
  if (viewerless.length) {
    throw new MissingDependencyError(
      `Neither virt-viewer nor spicy is installed (or on PATH), so the SPICE graphics of ${viewerless.map(label).join(', ')} cannot be shown: ` +
        'install virt-viewer (or spicy), or use -f (USE_SPICE=0) to only start the machines.',
      'virt-viewer',
    );
  }
  throwConnectErrors([...failures, ...errors], clones.length);
}

/** Throws the first cancellation among `errors`, else one error for all of them (the first one's exit code). */
function throwConnectErrors(errors: readonly Qq2Error[], of: number): void {
  const cancelled = errors.find((e) => e instanceof CancelledError);
  if (cancelled) throw cancelled;
  if (errors.length) throw new Qq2Error(`connect failed for ${errors.length} of ${of} machines.`, errors[0]!.exitCode);
}

/**
 * qq2clone connect SET: starts every machine of SET that is not running, then, when SPICE connections are on
 * (-g, or USE_SPICE=1 without -f), opens a viewer on each clone with SPICE graphics (see connectAndReport). Exit 11 when
 * a clone needs a viewer and none is installed, 17 when a display does not appear within S_TIMEOUT seconds;
 * otherwise the first failure's code.
 */
export const connectCliCommand: CliCommand = {
  name: 'connect',
  usage: 'SET',
  summary: "Start the machines in SET that aren't running and open virt-viewer or spicy on their SPICE graphics.",
  async run(ctx, args) {
    expectArgs('connect', 'SET', args, 1);
    const set = parseSetOrThrow(args[0]!);
    await connectAndReport(ctx, await ctx.clonesInSet(set, { command: 'connect' }));
  },
};
