#!/usr/bin/env bash
# What a delivered policy event costs, and the events/s that reach the JSON output with no loss.
#
# The agent runs bench/policies/getppid.yaml (one process_tracepoint event per getppid(2)),
# pinned to CPU1, exporting every event as JSON to a file; getppid_loop runs pinned to CPU0.
#   1. Cost per delivered event: per rep, B (no agent) and A (agent) runs of an unpaced loop,
#      interleaved; "added" = A - mean of the B runs either side, per getppid, i.e. per event
#      (the hook, the ring-buffer record and the wake-ups; the agent's own work runs on CPU1).
#   2. Events/s with no loss: paced loops at rising rates; per rate, the JSON lines of the loop's
#      events in the output file against the calls made, and the agent's final totals
#      (kernel_lost, user_dropped). The report gives the highest rate delivered in full.
#
#   sudo bench/policy_delivery.sh [BUILD_DIR=build-bench] [N=200000] [REPS=5]
#   RATES="20000 50000 100000 150000 200000 300000"   (events/s tried in part 2)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
n=${2:-200000}
reps=${3:-5}
rates=${RATES:-"20000 50000 100000 150000 200000 300000"}
loop="$build/bench/getppid_loop"
for f in "$build/octagon" "$loop"; do
  [[ -x $f ]] || { echo "missing $f: build the bench targets first (bench/README.md)" >&2; exit 2; }
done
for c in taskset jq; do command -v $c >/dev/null || { echo "needs $c" >&2; exit 2; }; done
dir=$(mktemp -d /tmp/octagon-delivery.XXXXXX)
agent=""
cleanup() { [[ -n $agent ]] && kill -INT "$agent" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

start_agent() {
  rm -f "$dir"/events.log*
  taskset -c 1 "$build/octagon" agent --tracing-policy bench/policies/getppid.yaml \
    --export-stdout=false --export-filename "$dir/events.log" --export-file-max-size-mb 4096 \
    2>"$dir/agent.err" &
  agent=$!
  for _ in $(seq 200); do grep -q "exporting events" "$dir/agent.err" && return 0; sleep 0.05; done
  echo "agent did not start:" >&2; cat "$dir/agent.err" >&2; exit 1
}
# Stops the agent once the loop's events stop arriving (other processes' getppid calls go on);
# prints "kernel_lost user_dropped" from its final status line.
stop_agent() {
  local last=-1 now
  for _ in $(seq 100); do
    now=$(delivered)
    [[ $now == "$last" ]] && break
    last=$now; sleep 0.3
  done
  kill -INT "$agent"; wait "$agent" || true; agent=""
  grep -o '{"status".*' "$dir/agent.err" | tail -1 |
    jq -r '"\(.status.totals.kernel_lost) \(.status.totals.user_dropped)"'
}
ns_of() { awk '{print $1}'; }
# JSON lines of events from getppid_loop (other processes call getppid too), across the export
# file and its rotations (events.log.1, ...).
delivered() { cat "$dir"/events.log* 2>/dev/null | grep -c '"binary":"[^"]*getppid_loop"' || true; }

echo "# Policy events: cost per delivered event and loss-free JSON rate"
echo
echo "getppid calibration: $(taskset -c 0 "$loop" 300000 | ns_of) ns (reference 111 ns)"
echo
echo "## 1. Cost per delivered event ($reps reps x $n getppid, every call an event)"
echo
echo "| rep | B ns/op | A ns/op | added ns/event | delivered/calls | kernel_lost | user_dropped |"
echo "|---|---|---|---|---|---|---|"
prev=$(taskset -c 0 "$loop" "$n" | ns_of)
added=()
for r in $(seq "$reps"); do
  start_agent
  a=$(taskset -c 0 "$loop" "$n" | ns_of)
  stop_agent >"$dir/totals"; read -r kl ud <"$dir/totals"
  d=$(delivered)
  b=$(taskset -c 0 "$loop" "$n" | ns_of)
  add=$(awk -v a="$a" -v p="$prev" -v b="$b" 'BEGIN{printf "%.0f", a - (p + b) / 2}')
  added+=("$add")
  echo "| $r | $(awk -v p="$prev" -v b="$b" 'BEGIN{printf "%.0f", (p+b)/2}') | $a | +$add | $d/$((n + n / 20 + 1)) | $kl | $ud |"
  prev=$b
done
median=$(printf '%s\n' "${added[@]}" | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
echo
echo "median added per delivered event: +$median ns (B = mean of the baselines either side)"
echo
echo "## 2. Events/s reaching the JSON output"
echo
echo "| paced rate ev/s | achieved ev/s | calls | JSON lines | kernel_lost | user_dropped | complete |"
echo "|---|---|---|---|---|---|---|"
best=0
for rate in $rates; do
  calls=$((rate * 3))  # about 3 s per rate
  start_agent
  ns=$(taskset -c 0 "$loop" "$calls" "$rate" | ns_of)
  stop_agent >"$dir/totals"; read -r kl ud <"$dir/totals"
  d=$(delivered)
  total=$((calls + 100))  # the paced loop warms up with 100 calls
  got=$(awk -v ns="$ns" 'BEGIN{printf "%.0f", 1e9 / ns}')
  ok=no
  if [[ $d -ge $total && $kl == 0 && $ud == 0 ]]; then ok=yes; (( got > best )) && best=$got; fi
  echo "| $rate | $got | $total | $d | $kl | $ud | $ok |"
done
echo
echo "highest rate delivered in full: $best events/s"
