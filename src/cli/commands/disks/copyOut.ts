import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { cloneTarget, withDisk } from './diskShared';
import { FileTypeError } from '../../../core/errors';

/** qq2clone copy-out NUMBER GUEST-PATH LOCAL-DIR: out of a clone's disk (read-only while it runs). */
export const copyOutCliCommand: CliCommand = {
  name: 'copy-out',
  usage: 'NUMBER GUEST-PATH LOCAL-DIR',
  summary: 'Copy a file or folder (recursively) of clone NUMBER into the local folder LOCAL-DIR.',
  async run(ctx, args) {
    expectArgs('copy-out', 'NUMBER GUEST-PATH LOCAL-DIR', args, 3);
    const t = cloneTarget(ctx, 'copy-out', args[0]!);
    const local = path.resolve(args[2]!);
    if (!fs.statSync(local, { throwIfNoEntry: false })?.isDirectory()) throw new FileTypeError(`copy-out: ${local} is not a folder.`);
    await withDisk(ctx, (d) => d.copyOut(t, args[1]!, local, ctx.signal));
    ctx.out.info(`Copied ${args[1]} of clone ${t.clone} into ${local}.`);
  },
};
