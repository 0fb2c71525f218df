#!/usr/bin/env bash
# Starts a real local SMTP server (PyPI `aiosmtpd` 1.4.6) that accepts every message and
# stores it, for the e-mail notification tests, and prints the lines that point them at it:
#
#   eval "$(scripts/smtp-sink.sh)"
#   scripts/smtp-sink.sh --stop     # stops the sink this script started, if any
#
# Each accepted message becomes two files in $HERALD_TEST_SMTP_DIR: `<n>.eml` (the raw
# message as received) and `<n>.json` (the envelope plus the decoded Subject, To, Message-ID
# and plain-text body, so a test reads them without a MIME parser). The .json is written
# last, by rename, so a test never sees half a message.
#
# Idempotent: the virtualenv under ${HERALD_CACHE:-/var/cache/herald-ci} is created and filled
# once; a sink this script started earlier is reused while it still answers.
set -euo pipefail

VERSION=1.4.6
CACHE="${HERALD_CACHE:-/var/cache/herald-ci}"
VENV="$CACHE/smtp-sink-venv"
STATE="$CACHE/smtp-sink.port"
PIDFILE="$CACHE/smtp-sink.pid"
LOG="$CACHE/smtp-sink.log"
MAILDIR="$CACHE/smtp-sink-mail"
SERVER="$CACHE/smtp-sink.py"

log() { printf '%s\n' "$*" >&2; }

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null; then
    log "stopped smtp-sink (pid $(cat "$PIDFILE"))"
  fi
  rm -f "$PIDFILE" "$STATE"
  exit 0
fi

answers() {
  "$VENV/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=2) as s:
    s.noop()
PY
}

mkdir -p "$CACHE" "$MAILDIR"
if [ ! -x "$VENV/bin/python" ] \
  || [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("aiosmtpd"))' 2>/dev/null)" != "$VERSION" ]; then
  log "installing aiosmtpd==$VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "aiosmtpd==$VERSION" >&2
fi

cat >"$SERVER" <<'PY'
"""A sink: accepts every message and stores it as <n>.eml and <n>.json in a folder."""
import email, email.policy, json, os, sys, threading, time
from aiosmtpd.controller import Controller

folder, port = sys.argv[1], int(sys.argv[2])
lock = threading.Lock()
counter = [0]

class Sink:
    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        with lock:
            counter[0] += 1
            name = f"{time.time_ns()}-{counter[0]}"
        with open(os.path.join(folder, name + ".eml"), "wb") as f:
            f.write(raw)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["subject"] or ""),
            "to": str(msg["to"] or ""),
            "from": str(msg["from"] or ""),
            "message_id": str(msg["message-id"] or ""),
            "body": body.get_content() if body is not None else "",
        }
        tmp = os.path.join(folder, name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
        os.rename(tmp, os.path.join(folder, name + ".json"))
        return "250 Message accepted for delivery"

controller = Controller(Sink(), hostname="127.0.0.1", port=port)
controller.start()
print(f"smtp-sink on 127.0.0.1:{port}, writing to {folder}", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
PY

if [ -f "$STATE" ] && answers "$(cat "$STATE")"; then
  port="$(cat "$STATE")"
  log "smtp-sink already answers on port $port"
else
  port="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  nohup "$VENV/bin/python" "$SERVER" "$MAILDIR" "$port" >"$LOG" 2>&1 &
  echo "$!" >"$PIDFILE"
  for _ in $(seq 1 60); do
    answers "$port" && break
    sleep 0.5
  done
  if ! answers "$port"; then
    log "smtp-sink did not answer on port $port; its log:"
    tail -n 40 "$LOG" >&2 || true
    exit 1
  fi
  echo "$port" >"$STATE"
  log "smtp-sink (aiosmtpd $VERSION) answers on port $port, mail in $MAILDIR (log: $LOG)"
fi

echo "export HERALD_TEST_SMTP_HOST=127.0.0.1"
echo "export HERALD_TEST_SMTP_PORT=$port"
echo "export HERALD_TEST_SMTP_DIR=$MAILDIR"
