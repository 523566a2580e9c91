import * as vscode from 'vscode';
import { LocalExistsError, targetWhat } from '../../../libvirt/disks';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { chooseDisk, diskApi, reportDiskError } from './shared';

/** Copy Out of Disk: a file or folder of a clone or template into a local folder. */
export const copyOutOfDiskCommand: CommandDefinition = {
  id: 'qq2clone.copyOutOfDisk',
  hosts: 'first',
  run: async (ctx, node?, _nodes?, extra?) => {
    const given = extra as { guestPath?: string; localDir?: string } | undefined;
    const t = await chooseDisk(ctx, node, 'Copy out of the disk of');
    if (!t) return undefined;
    const guestPath = given?.guestPath ?? (await prompts.inputBox({ title: `File or folder of ${targetWhat(t)} to copy out`, value: '/var/log' }));
    if (!guestPath) return undefined;
    const localDir =
      given?.localDir ?? (await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, title: 'Copy into this local folder' }))?.[0]?.fsPath;
    if (!localDir) return undefined;
    const copy = (overwrite: boolean) =>
      prompts.progress(`Copying out of ${targetWhat(t)}`, 1, async (signal, done) => {
        await diskApi(ctx).host.disk.copyOut(t, guestPath, localDir, signal, { overwrite });
        done(1);
      });
    try {
      try {
        await copy(false);
      } catch (e) {
        if (!(e instanceof LocalExistsError)) throw e;
        if (!(await prompts.confirm(`${e.path} already exists.`, `Copying ${guestPath} of ${targetWhat(t)} would overwrite it.`, 'Overwrite'))) return undefined;
        await copy(true);
      }
      void prompts.notify('info', `Copied ${guestPath} of ${targetWhat(t)} into ${localDir}.`);
      return true;
    } catch (e) {
      reportDiskError(ctx, `Copy out of ${targetWhat(t)}`, e);
      return false;
    }
  },
};
