/**
 * The recipe of the test guest: which Debian packages, which kernel modules, and the files written into its
 * initramfs and root. Everything that changes the image is in this file, build.ts or kernel.ts: the cache key is a
 * hash of the three (see image.ts), so editing one rebuilds the guest and nothing else does.
 */

/** The kernel: the cloud flavour's meta package names the current image package (resolved with apt-cache). */
export const KERNEL_META = 'linux-image-cloud-amd64';

/** Userland packages, and the libraries their binaries load (checked at build time with the loader's --list). */
export const PACKAGES = [
  'busybox-static',
  'dropbear-bin',
  'qemu-guest-agent',
  'libc6',
  'libglib2.0-0',
  'libpcre2-8-0',
  'libnuma1',
  'libudev1',
  'liburing2',
  'libtomcrypt1',
  'libtommath1',
  'libgmp10',
  'zlib1g',
  'libcrypt1',
];

/** Binaries copied from the unpacked packages into the root, with their libraries. */
export const BINARIES = ['usr/sbin/qemu-ga', 'usr/sbin/dropbear'];

/** Modules loaded by the initramfs (with their dependencies first): disk, NIC, agent channel, RNG, pvpanic, power button. */
// virtio_rng: under TCG there is no RDRAND, and without a hardware RNG the kernel's random pool can take long to be
// ready, blocking dropbear's getrandom() in rcS (and with it the ready marker and the agent).
export const MODULES = ['virtio_pci', 'virtio_blk', 'virtio_net', 'virtio_console', 'virtio_rng', 'pvpanic_mmio', 'button', 'evdev'];

/** Name of the guest's SSH host key in the known_hosts file of the image (ssh -o HostKeyAlias=). */
export const HOST_KEY_ALIAS = 'qq2clone-guest';

/** Printed on the serial console when the guest is up (dropbear and acpid running; the agent starts right after). */
export const READY_MARKER = 'qq2clone-guest: ready';

export const ROOT_SIZE = '256M';
// The kernel speaks on the first virtual terminal too (a VNC display shows it); the last console= is /dev/console.
export const KERNEL_CMDLINE = 'console=tty0 console=ttyS0 quiet root=/dev/vda';

/** /init of the initramfs: load modules in order, mount /dev/vda, switch to it. */
export const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /newroot
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.order); do insmod /modules/$m || echo "init: insmod $m failed"; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
# A guest that cannot boot stops at once (the test sees it shut off) instead of waiting for a timeout.
if ! mount -t ext4 /dev/vda /newroot; then echo "init: cannot mount /dev/vda: powering off"; poweroff -f; fi
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
`;

/** Files of the root filesystem (mode 0644 unless listed in EXECUTABLES). Keys are added by the build. */
export const ROOT_FILES: Record<string, string> = {
  'etc/inittab': `::sysinit:/etc/init.d/rcS
ttyS0::respawn:-/bin/sh
tty1::respawn:-/bin/sh
::respawn:/usr/local/sbin/start-agent
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sync
::shutdown:/bin/umount -a -r
`,
  'etc/init.d/rcS': `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
hostname -F /etc/hostname
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
acpid -c /etc/acpi -l /run/acpid.log
dropbear -s -r /etc/dropbear/dropbear_ed25519_host_key
echo "${READY_MARKER}"
`,
  // The agent's port: no udev, so no /dev/virtio-ports/ link; the port's name is in sysfs.
  'usr/local/sbin/start-agent': `#!/bin/sh
for p in /sys/class/virtio-ports/*; do
  if [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ]; then
    exec /usr/sbin/qemu-ga -m virtio-serial -p "/dev/\${p##*/}"
  fi
done
echo "start-agent: no org.qemu.guest_agent.0 port"
sleep 10
`,
  // qemu-ga runs "shutdown -h -P +0 msg" (or -r, -H). Busybox has none: act half a second later, so the agent's
  // answer reaches the host before the power goes.
  'sbin/shutdown': `#!/bin/sh
act=poweroff
for a in "$@"; do case "$a" in -r) act=reboot ;; -H) act=halt ;; esac; done
( sleep 0.5; $act ) </dev/null >/dev/null 2>&1 &
exit 0
`,
  // busybox acpid maps the power button's input event to PWRF/00000080 under its config directory.
  'etc/acpi/PWRF/00000080': '#!/bin/sh\npoweroff\n',
  'etc/hostname': 'qq2clone-guest\n',
  // Kept on the disk as on a real system: a clone's identity (hostname, machine-id, host keys) is files replaced
  // offline before it first starts.
  'etc/machine-id': '0123456789abcdef0123456789abcdef\n',
  'etc/hosts': '127.0.0.1 localhost\n127.0.1.1 qq2clone-guest\n',
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
  'etc/group': 'root:x:0:\n',
  'etc/shadow': 'root:*:19000:0:99999:7:::\n',
  'etc/shells': '/bin/sh\n',
  'etc/profile': 'export PATH=/sbin:/usr/sbin:/bin:/usr/bin\n',
};

export const EXECUTABLES = ['etc/init.d/rcS', 'usr/local/sbin/start-agent', 'sbin/shutdown', 'etc/acpi/PWRF/00000080'];

/** Empty directories of the root. */
export const ROOT_DIRS = ['proc', 'sys', 'dev', 'run', 'tmp', 'root/.ssh', 'var', 'etc/dropbear'];

/** Symbolic links of the root (path -> target). */
export const ROOT_LINKS: Record<string, string> = { 'var/run': '../run', 'lib64/ld-linux-x86-64.so.2': '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' };
