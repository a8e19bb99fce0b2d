#!/usr/bin/env bash
# The main job in one command: install dependencies, build, and run the agent, printing
# Tetragon-compatible process events (JSON lines) on stdout. Arguments go to `octagon agent`,
# e.g. `--output compact` for one human-readable line per event. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_TYPE=Release scripts/build.sh >&2
exec build/octagon agent "$@"
