import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { cloneTarget, withDisk } from './diskShared';
import { changeLine } from '../../../core/treeDiff';

/** qq2clone diff NUMBER: what clone NUMBER added (+), deleted (-) and changed (M) relative to its template's image. */
export const diffCliCommand: CliCommand = {
  name: 'diff',
  usage: 'NUMBER',
  summary: "Files clone NUMBER added (+), deleted (-) or changed (M) relative to the image it was made on, one per line.",
  speaksUnderQuieter: true,
  async run(ctx, args) {
    expectArgs('diff', 'NUMBER', args, 1);
    const t = cloneTarget(ctx, 'diff', args[0]!);
    const changes = await withDisk(ctx, (d) => d.diff(t, { signal: ctx.signal }));
    if (changes.length) ctx.out.result(changes.map(changeLine).join('\n'));
  },
};
