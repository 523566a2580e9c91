/**
 * connect (manual: CLONE COMMANDS): start every machine of the set that is not running, then open a SPICE viewer
 * (virt-viewer or spicy) on each clone whose graphics are SPICE, once its display has an address (waiting up to
 * the SPICE timeout). The connection URI goes to the viewer, so remote connections work. No vscode here: the
 * command file asks and reports.
 */
import { operationAccepts } from '../core/operations';
import { asQq2Error, type Qq2Error } from '../core/errors';
import type { BatchResult, CloneInfo, LibvirtService } from '../libvirt/api';
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
} from '../libvirt/display';
import { forEachBounded } from '../core/limit';

export interface ConnectSettings {
  /** USE_SPICE: undefined means "on when a viewer is installed" (the manual's first-run default). */
  readonly useSpice: boolean | undefined;
  /** SPICY=1 means spicy; the other one is used when the preferred one is missing. */
  readonly viewer: ViewerName;
  /** S_TIMEOUT in seconds. */
  readonly spiceTimeout: number;
}

export interface ConnectReport {
  /** The result of starting the machines that were not running (undefined when all were). */
  readonly started: BatchResult | undefined;
  readonly connected: { readonly clone: CloneInfo; readonly command: CommandLine }[];
  /** Clones shown no viewer, and why (no graphics, not SPICE, no viewer installed, timeout, viewer failed). */
  readonly notConnected: { readonly clone: CloneInfo; readonly reason: string; readonly error?: Qq2Error }[];
  /** Whether SPICE connections were attempted at all. */
  readonly spice: boolean;
  readonly viewer: ViewerName | undefined;
}

export async function connectClones(
  service: LibvirtService,
  clones: readonly CloneInfo[],
  settings: ConnectSettings,
  options: { signal?: AbortSignal; onStartProgress?: (done: number, total: number) => void } = {},
): Promise<ConnectReport> {
  const toStart = clones.filter((c) => operationAccepts('start', c.state));
  const refs = toStart.map((c) => ({ template: c.template, id: c.id, uuid: c.uuid, name: c.name }));
  const started = refs.length
    ? await service.run('start', refs, {
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (p) => options.onStartProgress?.(p.done, p.total),
      })
    : undefined;
  const installed = installedViewers();
  const spice = settings.useSpice ?? installed.length > 0;
  const viewer = chooseViewer(settings.viewer, installed);
  const connected: ConnectReport['connected'][number][] = [];
  const notConnected: ConnectReport['notConnected'][number][] = [];
  const startFailed = new Map((started?.failed ?? []).map((f) => [f.clone.uuid, f.error]));
  const notStarted = new Set((started?.cancelled ?? []).map((c) => c.uuid));
  if (!spice) return { started, connected, notConnected, spice, viewer };

  // A few at a time: a SET of many clones must not start a viewer and a 250 ms display poll for each at once.
  const seen = new Set<string>();
  await forEachBounded(
    clones,
    CONNECTS_AT_ONCE,
    async (clone) => {
      seen.add(clone.uuid);
      const failed = startFailed.get(clone.uuid);
      if (failed) return void notConnected.push({ clone, reason: `could not start: ${failed.message}`, error: failed });
      if (notStarted.has(clone.uuid)) return void notConnected.push({ clone, reason: 'not started' });
      try {
        const xml = await service.domainXml(clone.uuid, { inactive: false, ...(options.signal ? { signal: options.signal } : {}) });
        const types = graphicsOf(xml).map((g) => g.type);
        if (types.length === 0) return void notConnected.push({ clone, reason: 'it has no graphics device' });
        if (!types.includes('spice')) {
          return void notConnected.push({ clone, reason: `its graphics are ${types.join(', ')}, not SPICE (Show Screen works)` });
        }
        if (!viewer) return void notConnected.push({ clone, reason: 'neither virt-viewer nor spicy is installed: install virt-viewer, or turn off qq2clone.useSpice' });
        const address = await waitForSpice(virshFor(service), clone.uuid, settings.spiceTimeout * 1000, options.signal);
        const command = viewerCommandFor(viewer, installed, service.config.uri, clone.uuid, address);
        await launchViewer(command);
        return void connected.push({ clone, command });
      } catch (e) {
        const error = asQq2Error(e);
        notConnected.push({ clone, reason: error.message, error });
      }
    },
    options.signal,
  );
  // Those not begun when the cancel came.
  for (const clone of clones) if (!seen.has(clone.uuid)) notConnected.push({ clone, reason: 'cancelled' });
  const order = (a: { clone: CloneInfo }, b: { clone: CloneInfo }) => a.clone.id - b.clone.id;
  connected.sort(order);
  notConnected.sort(order);
  return { started, connected, notConnected, spice, viewer };
}
