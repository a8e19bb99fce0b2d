#!/usr/bin/env bash
# Events/s one gRPC client receives with no loss: starts the agent (root) with its API on a
# private socket, runs bench/grpc_rate (N short processes from W workers, counted on the stream),
# then prints the agent's per-client API counters from its final status.
#
#   bench/grpc_rate.sh BUILD_DIR [N=20000] [WORKERS=2]
set -euo pipefail
build=${1:?usage: grpc_rate.sh BUILD_DIR [N] [WORKERS]}
n=${2:-20000}
workers=${3:-2}
dir=$(mktemp -d /tmp/octagon-grpc-rate.XXXXXX)
trap 'kill -INT $agent 2>/dev/null || true; rm -rf "$dir"' EXIT
"$build/octagon" agent --export-stdout=false --server-address "unix://$dir/api.sock" \
  2>"$dir/agent.err" &
agent=$!
for _ in $(seq 100); do grep -q "exporting events" "$dir/agent.err" && break; sleep 0.1; done
rc=0
"$build/bench/grpc_rate" "unix://$dir/api.sock" "$n" "$workers" || rc=$?
kill -INT $agent
wait $agent || true
grep -o '"totals":{[^}]*}' "$dir/agent.err" | tail -1
grep -o '"api":{.*' "$dir/agent.err" | tail -1
exit $rc
