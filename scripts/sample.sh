#!/usr/bin/env bash
# Install, then run the main job on the bundled sample: check it and build its submission zip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/packager check fixtures/sample
.venv/bin/packager build fixtures/sample -o out/sample-final.zip
