#!/usr/bin/env bash
# Builds Octagon and runs the whole test suite: unit tests (no root), sensor and end-to-end
# tests (root: they load BPF programs on the running kernel), then the VM tier (scripts/vm-tests.sh;
# OCTAGON_VM_TIER=0 skips it; it also runs only when no ctest arguments are given). `.ci/run` runs
# exactly this.
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
# The VM tier: kernel-function tests and a smoke subset inside Debian 6.1 and 6.12 (QEMU).
if [ "${OCTAGON_VM_TIER:-1}" != 0 ] && [ $# -eq 0 ]; then
  scripts/vm-tests.sh "${BUILD_DIR:-build}"
fi
