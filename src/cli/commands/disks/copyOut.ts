import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { cloneTarget, withDisk } from './diskShared';
import { FileTypeError, UsageError } from '../../../core/errors';
import { LocalExistsError } from '../../../libvirt/disks';

/**
 * qq2clone copy-out [--force] NUMBER GUEST-PATH LOCAL-DIR: out of a clone's disk (read-only while it runs). A local
 * file or folder of the same name is not overwritten unless --force.
 */
export const copyOutCliCommand: CliCommand = {
  name: 'copy-out',
  usage: '[--force] NUMBER GUEST-PATH LOCAL-DIR',
  summary: 'Copy a file or folder (recursively) of clone NUMBER into the local folder LOCAL-DIR (--force: overwrite what is there).',
  async run(ctx, argv) {
    const overwrite = argv[0] === '--force';
    const args = overwrite ? argv.slice(1) : argv;
    expectArgs('copy-out', '[--force] NUMBER GUEST-PATH LOCAL-DIR', args, 3);
    const t = cloneTarget(ctx, 'copy-out', args[0]!);
    const local = path.resolve(args[2]!);
    if (!fs.statSync(local, { throwIfNoEntry: false })?.isDirectory()) throw new FileTypeError(`copy-out: ${local} is not a folder.`);
    try {
      await withDisk(ctx, (d) => d.copyOut(t, args[1]!, local, ctx.signal, { overwrite }));
    } catch (e) {
      if (e instanceof LocalExistsError) throw new UsageError(`copy-out: ${e.path} already exists: nothing was copied. Give --force to overwrite it.`);
      throw e;
    }
    ctx.out.info(`Copied ${args[1]} of clone ${t.clone} into ${local}.`);
  },
};
