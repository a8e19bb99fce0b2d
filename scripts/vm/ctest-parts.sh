#!/usr/bin/env bash
# ctest-parts.sh NAME "CTEST ARGS" [NAME "CTEST ARGS"]...: runs in the test VM (from
# scripts/vm-tests.sh), in the build directory. Runs each part's ctest selection, timing it, and
# prints one summary line per part; exits 1 if any part failed. Parts run even after a failure.
set -uo pipefail
failed=0 summary=()
while [ $# -ge 2 ]; do
  name=$1 args=$2
  shift 2
  echo "== VM part '$name': ctest $args"
  t0=$EPOCHREALTIME
  # shellcheck disable=SC2086  # ARGS is a list of ctest options
  ctest --output-on-failure --no-tests=error --timeout 300 $args
  rc=$?
  secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  [ "$rc" -eq 0 ] || failed=1
  summary+=("$name: rc $rc in ${secs}s")
done
echo "== VM parts on $(uname -r):"
printf '  %s\n' "${summary[@]}"
exit $failed
