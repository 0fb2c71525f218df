#!/usr/bin/env bash
# Makes a virtualenv with the PyPI `icalendar` package (an iCalendar parser independent of
# Herald's) for the calendar test, and prints the line that points the test at it:
#
#   eval "$(scripts/python-icalendar.sh)"
#
# Idempotent: the virtualenv under ${HERALD_CACHE:-/var/cache/herald-ci} is created once.
set -euo pipefail

VERSION=7.3.2
CACHE="${HERALD_CACHE:-/var/cache/herald-ci}"
VENV="$CACHE/icalendar-venv"

if ! "$VENV/bin/python" -c "import icalendar" >/dev/null 2>&1; then
  mkdir -p "$CACHE"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q "icalendar==$VERSION" >&2
fi
echo "export HERALD_TEST_PYTHON_ICALENDAR=$VENV/bin/python"
