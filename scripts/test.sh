#!/usr/bin/env bash
# Builds Octagon and runs the whole test suite: unit tests (no root), sensor and end-to-end
# tests (root: they load BPF programs on the running kernel). `.ci/run` runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build} scripts/build.sh -DOCTAGON_WERROR=ON
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --timeout 300 "$@"
