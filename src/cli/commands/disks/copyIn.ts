import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { cloneTarget, withDisk } from './diskShared';
import { PermissionError } from '../../../core/errors';

/** qq2clone copy-in NUMBER LOCAL-PATH GUEST-DIR: into the disk of a clone that is off. */
export const copyInCliCommand: CliCommand = {
  name: 'copy-in',
  usage: 'NUMBER LOCAL-PATH GUEST-DIR',
  summary: 'Copy a local file or folder (recursively) into GUEST-DIR of clone NUMBER, which must be off.',
  async run(ctx, args) {
    expectArgs('copy-in', 'NUMBER LOCAL-PATH GUEST-DIR', args, 3);
    const t = cloneTarget(ctx, 'copy-in', args[0]!);
    const local = path.resolve(args[1]!);
    if (!fs.existsSync(local)) throw new PermissionError(`copy-in: ${local} does not exist.`);
    await withDisk(ctx, (d) => d.copyIn(t, local, args[2]!, ctx.signal));
    ctx.out.info(`Copied ${local} into ${args[2]} of clone ${t.clone}.`);
  },
};
