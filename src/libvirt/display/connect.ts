/**
 * connect (manual: CLONE COMMANDS), the one implementation of both front ends: start every machine of the set that
 * is not running, then open a SPICE viewer (virt-viewer or spicy) on each clone whose graphics are SPICE, once its
 * display has an address (waiting up to the SPICE timeout). The connection URI goes to the viewer, so remote
 * connections work. What was not connected comes back as a reason (data, no words of a front end): the CLI turns
 * them into its messages and exit codes, the extension into its notices.
 */
import { asQq2Error, SpiceTimeoutError, type Qq2Error } from '../../core/errors';
import { forEachBounded } from '../../core/limit';
import { operationAccepts } from '../../core/operations';
import type { BatchResult, CloneInfo, LibvirtService } from '../api';
import {
  chooseViewer,
  CONNECTS_AT_ONCE,
  graphicsOf,
  installedViewers,
  launchViewer,
  viewerCommandFor,
  virshFor,
  waitForSpice,
  type CommandLine,
  type ViewerName,
} from './display';

export interface ConnectSettings {
  /** USE_SPICE: undefined means "on when a viewer is installed" (the manual's first-run default). */
  readonly useSpice: boolean | undefined;
  /** The preferred viewer (SPICY=1 means spicy); the other one is used when the preferred one is missing. */
  readonly viewer: ViewerName;
  /** S_TIMEOUT in seconds. */
  readonly spiceTimeout: number;
}

/** Why a clone was shown no viewer. */
export type NotConnectedReason =
  /** Starting it failed. */
  | { readonly kind: 'start-failed'; readonly error: Qq2Error }
  /** Cancelled before this clone's turn (its start, or its viewer). */
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'no-graphics' }
  /** Its graphics are of these other types (VNC...). */
  | { readonly kind: 'not-spice'; readonly types: readonly string[] }
  /** It has SPICE graphics, but neither virt-viewer nor spicy is installed. */
  | { readonly kind: 'no-viewer' }
  /** Its SPICE display had no address within `seconds`. */
  | { readonly kind: 'spice-timeout'; readonly seconds: number; readonly error: SpiceTimeoutError }
  /** Reading its definition, or the viewer, failed (the viewer could not run, cannot reach the display...). */
  | { readonly kind: 'failed'; readonly error: Qq2Error };

export interface Connected {
  readonly clone: CloneInfo;
  readonly command: CommandLine;
}

export interface NotConnected {
  readonly clone: CloneInfo;
  readonly why: NotConnectedReason;
}

export interface ConnectResult {
  /** The result of starting the machines that were not running (undefined when all were). */
  readonly started: BatchResult | undefined;
  /** In the order the clones were given. */
  readonly connected: readonly Connected[];
  /** In the order the clones were given; empty when SPICE connections are off. */
  readonly notConnected: readonly NotConnected[];
  /** Whether SPICE connections were attempted at all. */
  readonly spice: boolean;
  /** The viewer chosen (undefined when none is installed). */
  readonly viewer: ViewerName | undefined;
}

export interface ConnectOptions {
  readonly signal?: AbortSignal;
  readonly onStartProgress?: (done: number, total: number) => void;
  /** Called once the machines that were not running were started (not called when there were none). */
  readonly onStarted?: (result: BatchResult) => void;
  /** Called as each clone is settled (a viewer opened, or why not), before the result. */
  readonly onClone?: (outcome: Connected | NotConnected) => void;
}

/** Why `clone` gets no viewer before its display is waited for, or undefined when it has SPICE graphics. */
function graphicsReason(xml: string): NotConnectedReason | undefined {
  const types = graphicsOf(xml).map((g) => g.type);
  if (types.length === 0) return { kind: 'no-graphics' };
  if (!types.includes('spice')) return { kind: 'not-spice', types };
  return undefined;
}

/**
 * Starts the clones of `clones` that are not running (the start operation's rule), then, when SPICE connections
 * are on, opens the viewer on each clone with SPICE graphics, a few at a time (CONNECTS_AT_ONCE: each waits for its
 * display, polling, then starts a viewer). Never throws for one clone: each clone not connected has its reason.
 */
export async function connectClones(
  service: LibvirtService,
  clones: readonly CloneInfo[],
  settings: ConnectSettings,
  options: ConnectOptions = {},
): Promise<ConnectResult> {
  const { signal } = options;
  const refs = clones.filter((c) => operationAccepts('start', c.state)).map(({ template, id, uuid, name }) => ({ template, id, uuid, name }));
  const started = refs.length
    ? await service.run('start', refs, { ...(signal ? { signal } : {}), onProgress: (p) => options.onStartProgress?.(p.done, p.total) })
    : undefined;
  if (started) options.onStarted?.(started);
  const installed = installedViewers();
  const spice = settings.useSpice ?? installed.length > 0;
  const viewer = chooseViewer(settings.viewer, installed);
  const connected: Connected[] = [];
  const notConnected: NotConnected[] = [];
  if (!spice) return { started, connected, notConnected, spice, viewer };

  const startFailed = new Map((started?.failed ?? []).map((f) => [f.clone.uuid, f.error]));
  const settle = (outcome: Connected | NotConnected): void => {
    if ('command' in outcome) connected.push(outcome);
    else notConnected.push(outcome);
    options.onClone?.(outcome);
  };
  const seen = new Set<string>();
  await forEachBounded(
    clones,
    CONNECTS_AT_ONCE,
    async (clone) => {
      seen.add(clone.uuid);
      settle(await connectOne(service, clone, settings, { viewer, installed, startFailed, signal }));
    },
    signal,
  );
  // Those not begun when the cancel came (a cancelled start aborted the signal: none of its clones is begun).
  for (const clone of clones) if (!seen.has(clone.uuid)) settle({ clone, why: { kind: 'cancelled' } });
  // In the order the clones were given (they finish in any order; ids repeat across templates).
  const place = new Map(clones.map((c, i) => [c.uuid, i]));
  const order = (a: { clone: CloneInfo }, b: { clone: CloneInfo }) => place.get(a.clone.uuid)! - place.get(b.clone.uuid)!;
  connected.sort(order);
  notConnected.sort(order);
  return { started, connected, notConnected, spice, viewer };
}

async function connectOne(
  service: LibvirtService,
  clone: CloneInfo,
  settings: ConnectSettings,
  o: {
    viewer: ViewerName | undefined;
    installed: readonly ViewerName[];
    startFailed: ReadonlyMap<string, Qq2Error>;
    signal: AbortSignal | undefined;
  },
): Promise<Connected | NotConnected> {
  const failed = o.startFailed.get(clone.uuid);
  if (failed) return { clone, why: { kind: 'start-failed', error: failed } };
  try {
    const why = graphicsReason(await service.domainXml(clone.uuid, { inactive: false, ...(o.signal ? { signal: o.signal } : {}) }));
    if (why) return { clone, why };
    if (!o.viewer) return { clone, why: { kind: 'no-viewer' } };
    const address = await waitForSpice(virshFor(service), clone.uuid, settings.spiceTimeout * 1000, o.signal);
    const command = viewerCommandFor(o.viewer, o.installed, service.config.uri, clone.uuid, address);
    await launchViewer(command);
    return { clone, command };
  } catch (e) {
    if (e instanceof SpiceTimeoutError) return { clone, why: { kind: 'spice-timeout', seconds: settings.spiceTimeout, error: e } };
    return { clone, why: { kind: 'failed', error: asQq2Error(e) } };
  }
}
