/** Usage figures as words and table cells, the same in the CLI's top, the tree and the usage panel. Pure. */
import type { DomainUsage, HostUsage } from './rates';
import type { HostInfo } from './host';

/** 1536 -> "1.5 KiB"; binary units, one decimal below 10. */
export function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** A byte rate: "1.5 MiB/s". */
export const rateText = (bps: number): string => `${bytesText(bps)}/s`;

/** "37%", and the wait for a host CPU when there is some: "12% (+80% waiting)". */
export function cpuText(u: Pick<DomainUsage, 'cpuPercent' | 'cpuWaitPercent'>): string {
  const cpu = `${Math.round(u.cpuPercent)}%`;
  return u.cpuWaitPercent >= 1 ? `${cpu} (+${Math.round(u.cpuWaitPercent)}% waiting)` : cpu;
}

/** "96 MiB of 128 MiB", or the QEMU process's size when the guest does not report its own use. */
export function memText(u: Pick<DomainUsage, 'memUsedKiB' | 'memKiB' | 'memSource'>): string {
  return u.memSource === 'guest' ? `${bytesText(u.memUsedKiB * 1024)} of ${bytesText(u.memKiB * 1024)}` : `${bytesText(u.memUsedKiB * 1024)} (QEMU process; ${bytesText(u.memKiB * 1024)} given)`;
}

/** The marks of a clone in trouble, as words ("" when none). */
export function usageMarks(u: Pick<DomainUsage, 'fullCpu' | 'outOfMemory'>): string[] {
  return [...(u.fullCpu ? ['full CPU'] : []), ...(u.outOfMemory ? ['out of memory'] : [])];
}

/** One line for a tree item's description: "CPU 97% · 96 MiB" with its marks. */
export function usageDescription(u: DomainUsage): string {
  const marks = usageMarks(u);
  return `CPU ${Math.round(u.cpuPercent + u.cpuWaitPercent)}% · ${bytesText(u.memUsedKiB * 1024)}${marks.length ? ` · ${marks.join(', ')}` : ''}`;
}

/** The host's figures in one line. */
export function hostText(h: HostUsage, info: HostInfo): string {
  return `host: CPU ${Math.round(h.cpuPercent)}% of ${info.cpus} CPU${info.cpus === 1 ? '' : 's'}, memory ${bytesText(h.memUsedKiB * 1024)} of ${bytesText(h.memTotalKiB * 1024)}`;
}

/** The columns of a usage table. */
export const USAGE_COLUMNS: readonly string[] = ['NUMBER', 'NAME', 'CPU', 'WAIT', 'MEM', 'DISK-R', 'DISK-W', 'NET-RX', 'NET-TX', 'MARKS'];

/** A table row of cells for one clone (its number and name given). */
export function usageRow(id: number, name: string, u: DomainUsage | undefined): string[] {
  if (!u) return [String(id), name, '-', '-', '-', '-', '-', '-', '-', 'not running'];
  return [
    String(id),
    name,
    `${Math.round(u.cpuPercent)}%`,
    `${Math.round(u.cpuWaitPercent)}%`,
    bytesText(u.memUsedKiB * 1024),
    rateText(u.diskReadBps),
    rateText(u.diskWriteBps),
    rateText(u.netRxBps),
    rateText(u.netTxBps),
    usageMarks(u).join(',') || '-',
  ];
}

/** Rows of cells aligned in columns (left for the first two, right for figures). */
export function alignTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i < 2 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}
