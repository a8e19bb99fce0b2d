#!/usr/bin/env bash
# Builds Octagon and runs the whole test suite: unit tests (no root), sensor and end-to-end
# tests (root: they load BPF programs on the running kernel). `.ci/run` runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build} scripts/build.sh -DOCTAGON_WERROR=ON
# The live-tracefs tests read tracepoint formats; minimal hosts do not mount tracefs (the agent
# mounts it itself when it needs it).
if [ "$(id -u)" -eq 0 ] && [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ]; then
  mount -t tracefs tracefs /sys/kernel/tracing && echo "test.sh: mounted tracefs on /sys/kernel/tracing"
fi
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --timeout 300 "$@"
