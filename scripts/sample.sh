#!/usr/bin/env bash
# Install, then run the main job on the bundled sample submission in fixtures/sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/packager check fixtures/sample
