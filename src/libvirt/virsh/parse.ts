/** Parsers for virsh output (fixtures captured from real virsh live in test/fixtures/virsh/). */
import { attr, child, scanXml, textOf } from '../../core/xmlScan';

/** `list --all --uuid --name`: "UUID NAME" per line. */
export function parseUuidNameList(out: string): { uuid: string; name: string }[] {
  const rows: { uuid: string; name: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s+(.+?)\s*$/.exec(line);
    if (m) rows.push({ uuid: m[1]!, name: m[2]! });
  }
  return rows;
}

/** `list ... --uuid` (or --name): one value per non-empty line. */
export function parseLines(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export interface DomStat {
  readonly name: string;
  readonly state: number;
  readonly reason: number;
}

/** `domstats --state`: blocks of "Domain: 'NAME'" followed by "  state.state=N" and "  state.reason=N". */
export function parseDomstatsState(out: string): Map<string, DomStat> {
  const result = new Map<string, DomStat>();
  let name: string | undefined;
  let state = -1;
  let reason = 0;
  const flush = () => {
    if (name !== undefined) result.set(name, { name, state, reason });
  };
  for (const line of out.split('\n')) {
    const d = /^Domain: '(.*)'\s*$/.exec(line);
    if (d) {
      flush();
      name = d[1]!;
      state = -1;
      reason = 0;
      continue;
    }
    const kv = /^\s+state\.(state|reason)=(\d+)\s*$/.exec(line);
    if (kv && name !== undefined) {
      if (kv[1] === 'state') state = Number(kv[2]);
      else reason = Number(kv[2]);
    }
  }
  flush();
  return result;
}

/** One line of `virsh event --loop --all`. */
export interface ParsedEvent {
  readonly type: string;
  readonly domain: string;
  /** For lifecycle events the event ("Started"), else the event type. */
  readonly event: string;
  readonly detail: string;
}

export function parseEventLine(line: string): ParsedEvent | undefined {
  const m = /^event '([^']+)' for domain '(.*?)'(?::\s?(.*))?$/.exec(line.trimEnd());
  if (!m) return undefined;
  const type = m[1]!;
  const rest = m[3] ?? '';
  if (type === 'lifecycle') {
    const sp = rest.indexOf(' ');
    return {
      type,
      domain: m[2]!,
      event: sp < 0 ? rest : rest.slice(0, sp),
      detail: sp < 0 ? '' : rest.slice(sp + 1),
    };
  }
  return { type, domain: m[2]!, event: type, detail: rest };
}

/** `pool-dumpxml`: the pool's type and target path. */
export function parsePoolXml(xml: string): { type: string; path: string | undefined } {
  const root = scanXml(xml);
  if (root.name !== 'pool') return { type: '', path: undefined };
  return { type: attr(root, 'type')?.value ?? '', path: textOf(xml, child(child(root, 'target'), 'path')) || undefined };
}
