/**
 * Writing a clone's bookkeeping (our <metadata> element) into its definitions: the persistent one, and the running
 * one too while it runs (the qemu hook reads the running definition when it stops). Setting a policy writes it; a
 * revert writes it back, since libvirt restores the domain definition saved with the snapshot, bookkeeping and all.
 */
import { bareMetaElement, CLONE_NS, type CloneMeta } from '../domain';

/** The one virsh call this module needs: a command and its stdout. */
type Virsh = (args: readonly string[], signal?: AbortSignal) => Promise<string>;

/** Writes `meta` as the clone's bookkeeping: --config, and --live while the domain is active. */
export async function writeBookkeeping(virsh: Virsh, uuid: string, meta: CloneMeta, signal?: AbortSignal): Promise<void> {
  const args = ['metadata', uuid, CLONE_NS, '--key', 'q2c', '--set', bareMetaElement(meta)];
  await virsh([...args, '--config'], signal);
  const active = (await virsh(['domid', uuid], signal).catch(() => undefined))?.trim();
  if (active && active !== '-') await virsh([...args, '--live'], signal);
}
