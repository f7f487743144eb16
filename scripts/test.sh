#!/usr/bin/env bash
# Install, then run the test suite, the linter and the type checker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
# Both cores (or all of them): the tests are independent; -n 0 runs them in this one process.
.venv/bin/python -m pytest -n auto "$@"
.venv/bin/ruff check packager tests bench fixtures
.venv/bin/mypy
