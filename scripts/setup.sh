#!/usr/bin/env bash
# Install packager into .venv (idempotent; safe to run again).
#   bash scripts/setup.sh        what running packager needs, nothing more
#   bash scripts/setup.sh test   also the test tools and the optional parts (HEIC photos, libmagic,
#                                Tesseract OCR so the OCR tests run)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null

if [ "$mode" = "test" ]; then
  # Optional: libmagic refines MIME types; the tests compare results with and without it.
  if ! python3 -c 'import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library("magic") else 1)'; then
    if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; }; then
      SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
      ($SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq libmagic1 >/dev/null) \
        || echo "note: libmagic1 not installed; file types come from built-in signatures (same checks)" >&2
    fi
  fi
  # Optional: Tesseract reads scanned pages (OCR); without it the OCR tests skip.
  if ! command -v tesseract >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
      SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
      ($SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null) \
        || echo "warning: tesseract-ocr not installed; OCR tests will skip, scans stay 'could not verify'" >&2
    else
      echo "warning: tesseract not found; install it for OCR (macOS: brew install tesseract)" >&2
    fi
  fi
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,heic,magic]'
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi
