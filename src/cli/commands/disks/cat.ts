import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { cloneTarget, withDisk } from './diskShared';

/** qq2clone cat NUMBER PATH: a file inside a clone's disk, byte for byte on stdout. */
export const catCliCommand: CliCommand = {
  name: 'cat',
  usage: 'NUMBER PATH',
  summary: "Print a file inside clone NUMBER's disk (read-only while it runs).",
  speaksUnderQuieter: true,
  async run(ctx, args) {
    expectArgs('cat', 'NUMBER PATH', args, 2);
    const t = cloneTarget(ctx, 'cat', args[0]!);
    const data = await withDisk(ctx, (d) => d.readFile(t, args[1]!, { signal: ctx.signal }));
    if (ctx.io.stdoutBytes) ctx.io.stdoutBytes(data);
    else ctx.io.stdout(data.toString('utf8'));
  },
};
