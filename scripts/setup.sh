#!/usr/bin/env bash
# Install packager and what it needs into .venv (idempotent; safe to run again).
set -euo pipefail
cd "$(dirname "$0")/.."

# python-magic needs the libmagic C library (Debian/Ubuntu: libmagic1).
if ! python3 -c 'import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library("magic") else 1)'; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "Installing libmagic1 ..." >&2
    $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq libmagic1 >/dev/null \
      || echo "warning: could not install libmagic1; file types fall back to built-in signatures" >&2
  else
    echo "warning: libmagic not found; install it (macOS: brew install libmagic)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,heic]'
