/** The libvirt XML of a test guest: direct kernel boot of the cached image, TCG, agent channel, pvpanic, user NIC. */
import { ensureGuest } from './image';
import { KERNEL_CMDLINE } from './recipe';

export interface GuestDomainOptions {
  name: string;
  /** The root disk (an overlay or copy of the image's rootImage, never rootImage itself). */
  disk: string;
  /** Default 128 (64 panics at boot). */
  memoryMiB?: number;
  /** What libvirt does when the guest panics (pvpanic); default destroy: the clone ends "shut off (crashed)". */
  onCrash?: 'destroy' | 'preserve' | 'restart';
  mac?: string;
  /** Extra XML inside <devices>. */
  devices?: string;
  /** Kernel and initrd files (default: the cached image's); a template that outlives the cache keeps copies. */
  kernel?: string;
  initrd?: string;
  /** A file that keeps the serial console's output (for diagnosis; a template's clones would share it). */
  serialLog?: string;
  /** <description> of the domain. */
  description?: string;
  /** A VNC display on 127.0.0.1 (port chosen by libvirt) and a VGA card: tty1's shell and the kernel's messages. */
  vnc?: boolean;
}

/** The graphics `vnc: true` adds: QEMU's VNC server on loopback only, and a VGA card (text mode, 720x400). */
export const VNC_LOOPBACK = "    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>\n    <video><model type='vga'/></video>\n";

const xmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A `<domain type='qemu'>` booting the test guest; builds the image first if needed. */
export function guestDomainXml(o: GuestDomainOptions): string {
  const g = ensureGuest();
  return `<domain type='qemu'>
  <name>${o.name}</name>
${o.description ? `  <description>${xmlText(o.description)}</description>\n` : ''}  <memory unit='MiB'>${o.memoryMiB ?? 128}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${o.kernel ?? (o.vnc ? g.kernelWithSetup : g.kernel)}</kernel>
    <initrd>${o.initrd ?? g.initrd}</initrd>
    <cmdline>${KERNEL_CMDLINE}</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>${o.onCrash ?? 'destroy'}</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${o.disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'>
      <mac address='${o.mac ?? '52:54:00:aa:bb:01'}'/>
      <model type='virtio'/>
    </interface>
    ${o.serialLog ? `<serial type='pty'><log file='${o.serialLog}' append='off'/></serial>` : "<serial type='pty'/>"}
    <console type='pty'/>
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <panic model='isa'/>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
${o.vnc ? VNC_LOOPBACK : ''}${o.devices ?? ''}  </devices>
</domain>
`;
}
