import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { cloneTarget, withDisk } from './diskShared';
import { isDir, isLink } from '../../../core/treeDiff';

/** qq2clone ls NUMBER PATH: the entries of a folder inside a clone's disk, folders with a trailing /. */
export const lsCliCommand: CliCommand = {
  name: 'ls',
  usage: 'NUMBER PATH',
  summary: "List a folder inside clone NUMBER's disk (read-only while it runs); folders end in /, links in @.",
  speaksUnderQuieter: true,
  async run(ctx, args) {
    expectArgs('ls', 'NUMBER PATH', args, 2);
    const t = cloneTarget(ctx, 'ls', args[0]!);
    const rows = await withDisk(ctx, (d) => d.readdir(t, args[1]!, ctx.signal));
    const names = rows.map(([n, mode]) => `${n}${isDir(mode) ? '/' : isLink(mode) ? '@' : ''}`).sort();
    ctx.out.result(names.join('\n'));
  },
};
