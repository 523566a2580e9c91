#!/usr/bin/env bash
# Every test tier, in order: static (types, lint, no import cycles), unit, libvirt (real daemon), remote (the second
# libvirt host over SSH, as the test bed's unprivileged account), extension host
# (code-server + Chromium). Installs what it needs first (npm packages, the libvirt test bed when run as root,
# code-server into .cs/, the test guest of test/guest/), builds, runs every tier even after a failure, prints each
# tier's mocha summary (counts and every skipped test's title, see scripts/tier-summary.sh) and exits non-zero if
# any tier failed. No stdin.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export npm_config_yes=true
# The tiers run one after another here, so the tests that kill libvirtd for a moment disturb no one else.
export QQ2CLONE_TEST_RESTART_DAEMON=1

step() { printf '\n######## %s\n' "$*"; }
started=$(date +%s)

step "setup"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund </dev/null || exit 1
fi
bash scripts/setup-testbed.sh </dev/null || exit 1
bash scripts/setup-code-server.sh </dev/null >/dev/null || exit 1
node --import tsx test/guest/ensure.ts </dev/null || exit 1
echo "setup done in $(($(date +%s) - started)) s"

step "build"
npm run --silent build </dev/null || exit 1

declare -A result
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run_tier() {
  local name="$1"; shift
  step "tier: $name"
  local t0=$(date +%s)
  "$@" </dev/null 2>&1 | tee "$logs/$name.log"
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then result[$name]="passed"; else result[$name]="FAILED"; fi
  result[$name]="${result[$name]} ($(($(date +%s) - t0)) s): $(bash scripts/tier-summary.sh "$logs/$name.log")"
}
run_tier static bash -c 'npm run --silent typecheck && npm run --silent lint && npm run --silent deps &&
  echo "summary: typecheck, lint and the import-cycle check passed"'
run_tier unit npm run --silent test:unit
run_tier libvirt npm run --silent test:libvirt
# The second libvirt host (scripts/setup-second-host.sh): as the unprivileged account that cannot read its files.
if [ "$(id -u)" -eq 0 ] && id qq2tester >/dev/null 2>&1; then
  remote_dir="$PWD"
  if ! runuser -u qq2tester -- test -r "$PWD/package.json" -a -x "$PWD/node_modules/.bin/mocha"; then
    # This clone lies below a folder the account may not enter (root's home, say): it runs on a copy of what the
    # test reads, made for it (and removed after).
    remote_dir=$(mktemp -d /var/tmp/qq2clone-remote-tier.XXXXXX)
    cp -a package.json tsconfig.json src test node_modules "$remote_dir"/
    chmod -R a+rX "$remote_dir"
    echo "the remote tier runs on a copy in $remote_dir: qq2tester cannot read $PWD"
  fi
  run_tier remote runuser -u qq2tester -- env -C "$remote_dir" HOME="$(getent passwd qq2tester | cut -d: -f6)" npm_config_update_notifier=false \
    ./node_modules/.bin/mocha --node-option import=tsx --timeout 900000 test/libvirt/remote-host.test.ts
  [ "$remote_dir" = "$PWD" ] || rm -rf "$remote_dir"
else
  run_tier remote ./node_modules/.bin/mocha --node-option import=tsx --timeout 900000 test/libvirt/remote-host.test.ts
fi
run_tier extension-host npm run --silent test:ext

step "summary"
rc=0
for t in static unit libvirt remote extension-host; do
  echo "  $t: ${result[$t]}"
  [[ ${result[$t]} == passed* ]] || rc=1
done
echo "total $(($(date +%s) - started)) s"
exit $rc
