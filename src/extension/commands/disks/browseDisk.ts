import * as vscode from 'vscode';
import { targetWhat } from '../../../libvirt/disks';
import { prompts } from '../../ui/prompts';
import type { CommandDefinition } from '../types';
import { chooseDisk, diskApi, diskUri, reportDiskError } from './shared';

/** Browse Disk: the guest filesystems of a clone or template as a folder of the explorer. */
export const browseDiskCommand: CommandDefinition = {
  id: 'qq2clone.browseDisk',
  hosts: 'first',
  run: async (ctx, node?) => {
    const t = await chooseDisk(ctx, node, 'Browse the disk of');
    if (!t) return undefined;
    const api = diskApi(ctx);
    try {
      await api.fs.ensureOpen(t);
      const uri = diskUri(t);
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (!folders.some((f) => f.uri.toString() === uri.toString())) {
        vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: `${targetWhat(t)} (disk)` });
      }
      const ro = api.host.disk.isReadonly(t);
      if (ro && t.clone !== 'template') {
        void prompts.notify('info', `${targetWhat(t)} is not off: its disk is shown read-only and may be slightly behind the running guest.`);
      }
      return uri;
    } catch (e) {
      reportDiskError(ctx, `Browse the disk of ${targetWhat(t)}`, e);
      return undefined;
    }
  },
};
