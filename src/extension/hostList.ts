/**
 * The hosts the extension shows: the connection of `qq2clone.connectionUri` (with the template directory and storage
 * settings) first, then each entry of `qq2clone.connections`. Pure (no vscode): the unit tests read it.
 */
import type { ServiceConfig } from '../libvirt/api';

/** One host of the view: its connection (the service's configuration) and the name its root shows. */
export interface HostSetting {
  /** The connection URI: the host's identity in the view and in the command registry. */
  readonly uri: string;
  /** The root's label: the entry's label, else the URI. */
  readonly label: string;
  readonly config: ServiceConfig;
}

/** An entry of `qq2clone.connections`: a URI, or a URI with a label, template directory and storage of its own. */
export type ConnectionEntry = string | { readonly uri?: unknown; readonly label?: unknown; readonly templateDirectory?: unknown; readonly storage?: unknown };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * The hosts, the primary first; entries without a URI, or naming a URI already listed, are left out and said in
 * `ignored` (the view does not show the same host twice: its events and inventory would be read twice).
 */
export function hostSettings(primary: ServiceConfig, entries: readonly ConnectionEntry[]): { hosts: HostSetting[]; ignored: string[] } {
  const hosts: HostSetting[] = [{ uri: primary.uri, label: primary.uri, config: primary }];
  const ignored: string[] = [];
  for (const e of entries) {
    const o = typeof e === 'string' ? { uri: e } : e;
    const uri = text(o.uri);
    if (!uri) {
      ignored.push(`an entry of qq2clone.connections has no "uri": ${JSON.stringify(e)}`);
      continue;
    }
    if (uri === primary.uri && hosts.length === 1 && hosts[0]!.label === uri) {
      // The primary named again, to give it a label.
      hosts[0] = { ...hosts[0]!, label: text(o.label) ?? uri };
      continue;
    }
    if (hosts.some((h) => h.uri === uri)) {
      ignored.push(`${uri} is listed more than once (qq2clone.connectionUri counts as the first entry)`);
      continue;
    }
    const templateDir = text(o.templateDirectory);
    const storage = text(o.storage);
    hosts.push({ uri, label: text(o.label) ?? uri, config: { uri, ...(templateDir ? { templateDir } : {}), ...(storage ? { storage } : {}) } });
  }
  return { hosts, ignored };
}

/** Whether two configurations make the same service (a settings change keeps a host whose configuration is the same). */
export function sameConfig(a: ServiceConfig, b: ServiceConfig): boolean {
  return a.uri === b.uri && a.templateDir === b.templateDir && a.storage === b.storage && a.home === b.home;
}
