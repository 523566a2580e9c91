import type { CliContext } from '../../context';
import { UsageError } from '../../../core/errors';
import { DiskAccess, type DiskTarget } from '../../../libvirt/disks';

/** The clone NUMBER of the current template (-t / TEMPLATE) as a disk target. */
export function cloneTarget(ctx: CliContext, command: string, number: string): DiskTarget {
  if (!/^\d+$/.test(number)) throw new UsageError(`${command}: NUMBER must be a clone's number, not '${number}'.`);
  return { template: ctx.templateName(), clone: Number(number) };
}

/** Runs `work` with disk access for this invocation: one appliance, closed (writes synced) when done. */
export async function withDisk<T>(ctx: CliContext, work: (disk: DiskAccess) => Promise<T>): Promise<T> {
  const disk = new DiskAccess(ctx.service(), { max: () => 1, idleMs: () => 0, readOnlyUnlessWriting: true });
  const onAbort = () => void disk.dispose();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(disk);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await disk.dispose();
  }
}
