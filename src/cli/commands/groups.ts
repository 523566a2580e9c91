/**
 * One loader per command group (a folder of commands and its index.ts). The built CLI loads only the group of the
 * command it runs: each loader is a dynamic import, which esbuild makes a chunk of its own (esbuild.js), so `list`
 * does not load the disk, guest or validation code of other groups, and -h loads none. A group may define its
 * commands as it likes (one file each, or a table): what its index exports that is a CliCommand, or a list of
 * them, is its commands.
 */
import type { CliCommand } from './shared/types';

export const CLI_GROUPS = {
  clones: () => import('./clones'),
  templates: () => import('./templates'),
  settings: () => import('./settings'),
  policy: () => import('./policy'),
  disks: () => import('./disks'),
  snapshots: () => import('./snapshots'),
  guests: () => import('./guests'),
} as const satisfies Record<string, () => Promise<object>>;

export type CliGroupName = keyof typeof CLI_GROUPS;

/** What -h shows of a command and where it is defined: all that is known before its group is loaded. */
export interface CliCommandEntry {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly group: CliGroupName;
  /** The command's `sessions` (virsh sessions started before its group is loaded). */
  readonly sessions?: number;
}

function isCliCommand(v: unknown): v is CliCommand {
  const c = v as Partial<CliCommand> | null;
  return typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.summary === 'string' && typeof c.run === 'function';
}

/** The commands a group's module exports (each exported CliCommand, and those in exported lists), in export order. */
export function commandsOf(groupModule: object): CliCommand[] {
  return Object.values(groupModule).flatMap((v: unknown) => (Array.isArray(v) ? v.filter(isCliCommand) : isCliCommand(v) ? [v] : []));
}
