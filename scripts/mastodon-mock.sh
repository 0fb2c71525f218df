#!/usr/bin/env bash
# Starts the third-party Mastodon mock (PyPI `mastodon-mock` 0.6.1) for the Mastodon
# connector's integration test, and prints the line that points the test at it:
#
#   eval "$(scripts/mastodon-mock.sh)"
#   scripts/mastodon-mock.sh --stop     # stops the mock this script started, if any
#
# Idempotent: the virtualenv under ${HERALD_CACHE:-/var/cache/herald-ci} is created and filled
# once; a mock this script started earlier is reused while it still answers.
#
# Authentication: the mock looks the bearer token up in its seeded accounts; its default seed
# is one account, `testuser` ("Test User"), with the access token `mock_token`. No app or
# token registration is needed. Unknown tokens act as "not logged in" (401 on endpoints that
# need an account) unless its `auth.permissive` option is on (off by default).
set -euo pipefail

VERSION=0.6.1
CACHE="${HERALD_CACHE:-/var/cache/herald-ci}"
VENV="$CACHE/mastodon-mock-venv"
STATE="$CACHE/mastodon-mock.port"
PIDFILE="$CACHE/mastodon-mock.pid"
LOG="$CACHE/mastodon-mock.log"

log() { printf '%s\n' "$*" >&2; }

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null; then
    log "stopped mastodon-mock (pid $(cat "$PIDFILE"))"
  fi
  rm -f "$PIDFILE" "$STATE"
  exit 0
fi

# Needs no curl: the probe is the venv's own Python.
answers() {
  "$VENV/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v2/instance", timeout=2).read()
PY
}

mkdir -p "$CACHE"
if [ ! -x "$VENV/bin/mastodon_mock" ] \
  || [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("mastodon-mock"))' 2>/dev/null)" != "$VERSION" ]; then
  log "installing mastodon-mock==$VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "mastodon-mock==$VERSION" >&2
fi

if [ -f "$STATE" ] && answers "$(cat "$STATE")"; then
  port="$(cat "$STATE")"
  log "mastodon-mock already answers on port $port"
else
  port="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  nohup "$VENV/bin/mastodon_mock" serve --in-memory --host 127.0.0.1 --port "$port" >"$LOG" 2>&1 &
  echo "$!" >"$PIDFILE"
  for _ in $(seq 1 60); do
    answers "$port" && break
    sleep 0.5
  done
  if ! answers "$port"; then
    log "mastodon-mock did not answer on port $port; its log:"
    tail -n 40 "$LOG" >&2 || true
    exit 1
  fi
  echo "$port" >"$STATE"
  log "mastodon-mock $VERSION answers on port $port (log: $LOG)"
fi

echo "export HERALD_TEST_MASTODON_MOCK_URL=http://127.0.0.1:$port"
echo "export HERALD_TEST_MASTODON_MOCK_TOKEN=mock_token"
