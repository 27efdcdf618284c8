# Sourced by scripts/run and scripts/test: make .venv and install what the
# project needs into it, only when requirements changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON_BIN="${PYTHON:-}"
if [ -z "$PYTHON_BIN" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON_BIN="$candidate"; break; fi
  done
fi
"$PYTHON_BIN" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "Python 3.11 or newer is needed (found $("$PYTHON_BIN" --version 2>&1))" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $("$PYTHON_BIN" --version)"
  "$PYTHON_BIN" -m venv .venv
fi

ensure_requirements() {  # $1: lock file (requirements.lock or requirements-dev.lock)
  # The lock pins every transitive dependency with its sha256 (scripts/lock makes it
  # from requirements*.txt). --require-hashes makes pip refuse any file whose hash is
  # not in it, and needs no newer pip than the one Python 3.11 ships: no upgrade here.
  local stamp=".venv/.installed-$(basename "$1")"
  if [ ! -f "$stamp" ] || [ "$1" -nt "$stamp" ]; then
    echo "==> installing $1"
    .venv/bin/python -m pip install --quiet --require-hashes -r "$1"
    touch "$stamp"
  fi
}
