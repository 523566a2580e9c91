/**
 * Addresses on the tree: a background AddressBook (src/libvirt/guests/addressBook.ts) fed by the service's events.
 * A clone's lifecycle event drops its addresses (re-read at once when it runs); the guest agent connecting
 * (agent-lifecycle) re-reads them, since the agent is the best source. Pure of vscode: index.ts wires it.
 */
import type { Disposable, DomainEvent, LibvirtService } from '../../libvirt/api';
import { AddressBook, serviceAddressReader } from '../../libvirt/guests';
import type { CloneNode } from './model';
import { isGuestUp } from '../../core/operations';


/** Should this event change what we know of the clone's addresses? */
export function touchesAddresses(e: DomainEvent): boolean {
  return e.event === 'agent-lifecycle' || /^(Started|Stopped|Resumed|Suspended|Shutdown|Crashed|PMSuspended)$/.test(e.event);
}

export class TreeAddresses implements Disposable {
  readonly book: AddressBook;
  private sub: Disposable | undefined;

  constructor(
    private readonly service: () => LibvirtService,
    private readonly cloneByName: (name: string) => CloneNode | undefined,
  ) {
    this.book = new AddressBook((uuid, signal) => serviceAddressReader(this.service())(uuid, signal));
  }

  /** Listen to a (new) service's events. */
  follow(service: LibvirtService): void {
    this.sub?.dispose();
    this.sub = service.onEvent((e) => {
      if (!touchesAddresses(e)) return;
      const node = this.cloneByName(e.domain);
      if (!node) return;
      // The tree applied the event to its model before us: the state is the new one.
      this.book.invalidate(node.key, isGuestUp(node.clone.state) || /^(Started|Resumed)$/.test(e.event) || e.event === 'agent-lifecycle');
    });
  }

  /** The addresses to show for a clone: only for running ones, read in the background when missing. */
  shown(node: CloneNode): { text: string; tooltip: string[] } | undefined {
    if (!isGuestUp(node.clone.state) || node.clone.staging) return undefined;
    const e = this.book.get(node.key);
    if (!e) return undefined;
    const ips = [...new Set(e.addresses.map((a) => a.address))];
    const tooltip = ips.length ? [`- Addresses (${e.source}): ${ips.map((i) => `\`${i}\``).join(', ')}`] : [
      `- Addresses: none found (${e.tried.map((t) => `${t.source}: ${t.problem}`).join('; ')})`,
    ];
    if (e.sshPort) tooltip.push(`- SSH: \`127.0.0.1:${e.sshPort}\` (forwarded to the guest's port 22)`);
    return { text: ips[0] ?? '', tooltip };
  }

  dispose(): void {
    this.sub?.dispose();
    this.book.dispose();
  }
}
