#!/usr/bin/env bash
# Install, then run the test suite, the linter and the type checker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/python -m pytest "$@"
.venv/bin/ruff check packager tests bench fixtures
.venv/bin/mypy
