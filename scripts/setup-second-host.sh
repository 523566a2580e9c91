#!/usr/bin/env bash
# The test bed's second libvirt host, real and on this machine (run as root by setup-testbed.sh; idempotent; no
# stdin; no systemd needed):
# - the account qq2remote (home mode 0700) with its own libvirt session daemon, reached only as
#   qemu+ssh://qq2remote@127.0.0.1/session (libvirt's virt-ssh-helper starts that daemon on connection); a directory
#   pool "default" in its home;
# - openssh-server listening on 127.0.0.1 only, started directly with its own configuration (public keys only,
#   qq2remote only);
# - the account qq2tester, which runs the remote-host tests: it cannot read qq2remote's home, so a local file
#   operation on the second host's storage fails the test. Its key is made here and authorised for qq2remote, and its
#   known_hosts is written here from this machine's host keys (nothing ever accepts an unknown host key);
# - root's own way in, for the extension-host test (which runs as root): a key and a known_hosts file of the test bed
#   under /etc/qq2clone-testbed, named in the URI (ROOT_URI below: libvirt's libssh transport reads keyfile= and
#   known_hosts=; its ssh transport ignores known_hosts=), through a second sshd of the same configuration on port
#   2022 that the test stops and starts again (the tests of the account qq2tester keep port 22).
# Without /dev/kvm (as here) the session daemon runs guests under TCG (<domain type='qemu'>) like the system one.
set -euo pipefail

REMOTE=qq2remote
TESTER=qq2tester
CONF_DIR=/etc/qq2clone-testbed
SSHD_CONF="$CONF_DIR/sshd_config"
SSHD_PID=/run/qq2clone-testbed-sshd.pid
REMOTE_URI="qemu+ssh://$REMOTE@127.0.0.1/session?no_tty=1"
ROOT_KEY="$CONF_DIR/root-ed25519"
ROOT_KNOWN_HOSTS="$CONF_DIR/known_hosts"
TEST_PORT=2022
TEST_SSHD_CONF="$CONF_DIR/sshd_config_test"
TEST_SSHD_PID=/run/qq2clone-testbed-sshd-test.pid
ROOT_URI="qemu+libssh://$REMOTE@127.0.0.1:$TEST_PORT/session?no_tty=1&sshauth=privkey&keyfile=$ROOT_KEY&known_hosts=$ROOT_KNOWN_HOSTS"

log() { echo "setup-second-host: $*" >&2; }
if [ "$(id -u)" -ne 0 ]; then log "run as root"; exit 1; fi

make_account() {
  local user="$1"
  if ! id "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash --user-group "$user"
    log "made the account $user"
  fi
  # No password, and not locked either: sshd refuses a locked account even for a public key.
  usermod -p '*' "$user"
  local home
  home=$(getent passwd "$user" | cut -d: -f6)
  chmod 0700 "$home"
}
make_account "$REMOTE"
make_account "$TESTER"
REMOTE_HOME=$(getent passwd "$REMOTE" | cut -d: -f6)
TESTER_HOME=$(getent passwd "$TESTER" | cut -d: -f6)
as() { local u="$1"; shift; runuser -u "$u" -- env -u XDG_RUNTIME_DIR HOME="$(getent passwd "$u" | cut -d: -f6)" "$@" </dev/null; }

# The tester's key, authorised for the remote account only.
as "$TESTER" mkdir -p -m 0700 "$TESTER_HOME/.ssh"
[ -f "$TESTER_HOME/.ssh/id_ed25519" ] || as "$TESTER" ssh-keygen -q -t ed25519 -N '' -C "$TESTER@qq2clone-testbed" -f "$TESTER_HOME/.ssh/id_ed25519"
# root's key for the extension-host test.
mkdir -p -m 0755 "$CONF_DIR"
[ -f "$ROOT_KEY" ] || ssh-keygen -q -t ed25519 -N "" -C "root@qq2clone-testbed" -f "$ROOT_KEY"
chmod 0600 "$ROOT_KEY"
as "$REMOTE" mkdir -p -m 0700 "$REMOTE_HOME/.ssh"
cat "$TESTER_HOME/.ssh/id_ed25519.pub" "$ROOT_KEY.pub" >"$REMOTE_HOME/.ssh/authorized_keys.new"
chown "$REMOTE:$REMOTE" "$REMOTE_HOME/.ssh/authorized_keys.new"
chmod 0600 "$REMOTE_HOME/.ssh/authorized_keys.new"
mv -f "$REMOTE_HOME/.ssh/authorized_keys.new" "$REMOTE_HOME/.ssh/authorized_keys"

# sshd: this machine's host keys, our own configuration, 127.0.0.1 only.
ssh-keygen -A >/dev/null
mkdir -p "$CONF_DIR" /run/sshd
chmod 0755 /run/sshd
cat >"$SSHD_CONF" <<EOF
# qq2clone test bed: the second libvirt host's SSH server (scripts/setup-second-host.sh)
ListenAddress 127.0.0.1
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile $SSHD_PID
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowUsers $REMOTE
X11Forwarding no
# libvirt's remote driver opens one SSH connection per virsh process: many at once in the benchmark and tests.
MaxStartups 100:30:200
MaxSessions 50
EOF
/usr/sbin/sshd -t -f "$SSHD_CONF"
# The same server on port 2022 for root's test, which stops it and starts it again (its own pid file).
sed -e "s/^Port 22$/Port $TEST_PORT/" -e "s|^PidFile .*|PidFile $TEST_SSHD_PID|" "$SSHD_CONF" >"$TEST_SSHD_CONF"
/usr/sbin/sshd -t -f "$TEST_SSHD_CONF"
if [ -f "$TEST_SSHD_PID" ] && kill -0 "$(cat "$TEST_SSHD_PID")" 2>/dev/null; then
  log "the test's sshd for the second host runs (pid $(cat "$TEST_SSHD_PID"))"
else
  /usr/sbin/sshd -f "$TEST_SSHD_CONF"
  log "started sshd on 127.0.0.1:$TEST_PORT"
fi
if [ -f "$SSHD_PID" ] && kill -0 "$(cat "$SSHD_PID")" 2>/dev/null; then
  log "sshd for the second host runs (pid $(cat "$SSHD_PID"))"
elif ss -Hltn 'sport = :22' 2>/dev/null | grep -q .; then
  log "something else listens on port 22: using it (it must accept $REMOTE's key with this machine's host keys)"
else
  /usr/sbin/sshd -f "$SSHD_CONF"
  log "started sshd on 127.0.0.1:22"
fi

# known_hosts written from the host keys themselves: the tester never has to accept one.
{ for k in /etc/ssh/ssh_host_*_key.pub; do echo "127.0.0.1 $(cut -d' ' -f1,2 "$k")"; done; } >"$TESTER_HOME/.ssh/known_hosts"
chown "$TESTER:$TESTER" "$TESTER_HOME/.ssh/known_hosts"
chmod 0644 "$TESTER_HOME/.ssh/known_hosts"
{ for k in /etc/ssh/ssh_host_*_key.pub; do echo "127.0.0.1 $(cut -d' ' -f1,2 "$k")"; echo "[127.0.0.1]:$TEST_PORT $(cut -d' ' -f1,2 "$k")"; done; } >"$ROOT_KNOWN_HOSTS"
chmod 0644 "$ROOT_KNOWN_HOSTS"

# The second host's storage: a directory pool in the remote account's home.
POOL_DIR="$REMOTE_HOME/pool"
if ! as "$REMOTE" virsh -q -c qemu:///session pool-info default >/dev/null 2>&1; then
  as "$REMOTE" mkdir -p -m 0711 "$POOL_DIR"
  as "$REMOTE" virsh -q -c qemu:///session pool-define-as default dir --target "$POOL_DIR" >/dev/null
  log "defined the pool default ($POOL_DIR) on the second host"
fi
as "$REMOTE" virsh -q -c qemu:///session pool-autostart default >/dev/null
pool_info=$(as "$REMOTE" virsh -q -c qemu:///session pool-info default)
[[ $pool_info =~ State:\ *running ]] || as "$REMOTE" virsh -q -c qemu:///session pool-start default >/dev/null

[ -e /dev/kvm ] || log "no /dev/kvm: the second host runs guests under TCG (<domain type='qemu'>)"

# The check that matters: the tester reaches the second host through ssh, with no prompt.
for _ in $(seq 1 30); do
  if as "$TESTER" virsh -q -c "$REMOTE_URI" pool-info default >/dev/null 2>&1 && virsh -q -c "$ROOT_URI" pool-info default >/dev/null 2>&1 </dev/null; then
    log "$TESTER reaches $REMOTE_URI; root reaches $ROOT_URI"
    exit 0
  fi
  sleep 1
done
log "$TESTER cannot reach $REMOTE_URI, or root cannot reach $ROOT_URI:"
as "$TESTER" virsh -q -c "$REMOTE_URI" pool-info default >&2 || true
virsh -q -c "$ROOT_URI" pool-info default >&2 </dev/null || true
exit 1
