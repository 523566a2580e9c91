import { targetWhat } from '../../../libvirt/disks';
import { prompts } from '../../ui/prompts';
import * as vscode from 'vscode';
import type { CommandDefinition } from '../types';
import { chooseDisk, diskApi, reportDiskError } from './shared';

/** Copy Into Disk: local files or folders into a folder of a clone that is off. */
export const copyIntoDiskCommand: CommandDefinition = {
  id: 'qq2clone.copyIntoDisk',
  hosts: 'first',
  run: async (ctx, node?, _nodes?, extra?) => {
    const given = extra as { local?: string[]; guestDir?: string } | undefined;
    const t = await chooseDisk(ctx, node, 'Copy into the disk of', true);
    if (!t) return undefined;
    const local =
      given?.local ?? (await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, title: `Copy into ${targetWhat(t)}` }))?.map((u) => u.fsPath);
    if (!local?.length) return undefined;
    const guestDir = given?.guestDir ?? (await prompts.inputBox({ title: `Folder of ${targetWhat(t)} to copy into`, value: '/root' }));
    if (!guestDir) return undefined;
    try {
      await prompts.progress(`Copying into ${targetWhat(t)}`, local.length, async (signal, done) => {
        for (const [i, l] of local.entries()) {
          await diskApi(ctx).host.disk.copyIn(t, l, guestDir, signal);
          done(i + 1);
        }
      });
      void prompts.notify('info', `Copied ${local.length} item(s) into ${guestDir} of ${targetWhat(t)}.`);
      return true;
    } catch (e) {
      reportDiskError(ctx, `Copy into ${targetWhat(t)}`, e);
      return false;
    }
  },
};
