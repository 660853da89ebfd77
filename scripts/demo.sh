#!/usr/bin/env bash
# README command 1: install packages, build, and serve examples/ with the
# embedded LevelDB storage. Ctrl-C stops (a second Ctrl-C exits at once).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
exec build/bin/sluice -c examples/sluice.yaml run
