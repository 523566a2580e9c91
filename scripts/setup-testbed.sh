#!/usr/bin/env bash
# Prepares a Debian machine for the libvirt and extension-host tests: installs libvirt, QEMU, qemu-img, virt-install,
# xmllint, libguestfs with its Python binding and an appliance kernel, virt-viewer (the connect tests run the real one once, with no display), Chromium and the Kerberos headers
# code-server's native modules need, starts virtlogd and libvirtd when they are not running (no systemd needed) and
# waits until the daemon answers. Idempotent; no stdin; run as root (without root it only checks and says what is
# missing).
set -euo pipefail

URI="${QQ2CLONE_TEST_URI:-qemu:///system}"
# The test guest (test/guest/) is built from Debian packages fetched with apt-get download and needs: dpkg-deb
# (dpkg), the kernel's decompressors (lz4, zstd, xz-utils), mkfs.ext4 and debugfs (e2fsprogs), ssh and ssh-keygen
# (openssh-client). libguestfs (disk browsing and comparison): its tools, the Python binding the helper uses, and a
# kernel for its appliance (supermin fails "failed to find a suitable kernel" without one); without recommends.
PACKAGES=(libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils virtinst libxml2-utils virt-viewer chromium libkrb5-dev
  lz4 zstd xz-utils e2fsprogs openssh-client libguestfs-tools python3-guestfs linux-image-cloud-amd64 openssh-server)

log() { echo "setup-testbed: $*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if ! is_root; then
    log "missing packages: ${missing[*]}. Run this script as root (sudo $0) or: sudo apt-get install ${missing[*]}"
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

# The test guest's packages are fetched with apt-get download: without package lists (a fresh container) there is
# nothing to fetch.
if ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
  if is_root; then
    log "no package lists: apt-get update (the test guest is built from Debian packages)"
    apt-get update -qq </dev/null
  else
    log "no package lists for the test guest's packages: run as root, or: sudo apt-get update"
  fi
fi

# /dev/kvm: a machine without udev can leave it root-only (crw------- root root). libvirt probes QEMU as root with KVM,
# then finds on every later call that the qemu user cannot open it and probes QEMU again (4-7 s a call; one define
# took 59 s). Give it what Debian's udev rule gives it: group kvm, mode 0660, and the qemu user in that group.
fix_kvm() {
  [ -e /dev/kvm ] || return 0
  local want_group=kvm mode group
  mode=$(stat -c %a /dev/kvm); group=$(stat -c %G /dev/kvm)
  if [ "$group" = "$want_group" ] && [ "$mode" = 660 ]; then return 0; fi
  if ! is_root; then
    log "/dev/kvm is $mode $group: libvirt will be very slow. Fix as root: chgrp kvm /dev/kvm; chmod 0660 /dev/kvm"
    return 0
  fi
  getent group kvm >/dev/null || groupadd --system kvm
  chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  log "changed /dev/kvm from mode $mode group $group to mode 660 group kvm (as udev does), so libvirt's QEMU user can open it"
  if id libvirt-qemu >/dev/null 2>&1 && ! id -nG libvirt-qemu | grep -qw kvm; then
    usermod -a -G kvm libvirt-qemu && log "added libvirt-qemu to group kvm"
  fi
  # A daemon that probed QEMU while /dev/kvm was root-only keeps re-probing: restart it with the fixed device.
  if pgrep -x libvirtd >/dev/null; then
    log "restarting libvirtd so it probes QEMU with the fixed /dev/kvm"
    pkill -x libvirtd || true
    for _ in $(seq 1 50); do pgrep -x libvirtd >/dev/null || break; sleep 0.1; done
  fi
}
fix_kvm

# Daemons: started directly (containers and CI have no systemd). pgrep -x matches the exact process name.
start_daemon() {
  local name="$1"
  if pgrep -x "$name" >/dev/null; then return 0; fi
  if ! is_root; then
    log "$name is not running. Start it as root: sudo $name -d (or: sudo systemctl start $name)"
    exit 1
  fi
  log "starting $name"
  "$name" -d </dev/null
}
start_daemon virtlogd
# Modular daemons (virtqemud serves the QEMU driver) need no libvirtd; otherwise the one daemon serves everything.
if pgrep -x virtqemud >/dev/null; then log "virtqemud runs (modular daemons): not starting libvirtd"; else start_daemon libvirtd; fi

# The first answer after a start can take a few seconds.
answered=
for _ in $(seq 1 60); do
  if virsh -c "$URI" version </dev/null >/dev/null 2>&1; then
    log "libvirt answers on $URI"
    answered=1
    break
  fi
  sleep 1
done
if [ -z "$answered" ]; then
  log "libvirt does not answer on $URI after 60 s:"
  virsh -c "$URI" version </dev/null >&2 || true
  exit 1
fi

# The second host (see scripts/setup-second-host.sh): only as root.
if is_root; then
  bash "$(dirname "${BASH_SOURCE[0]}")/setup-second-host.sh"
else
  log "not root: the second host for the remote-host tests is not set up (they skip and say so)"
fi
