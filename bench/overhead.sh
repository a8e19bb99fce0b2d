#!/usr/bin/env bash
# Octagon agent overhead on this machine, measured the way shared/reference/perf-baselines.md
# (section 0) does: workloads pinned to CPU0, the agent pinned to CPU1, baseline runs (B, no
# agent) interleaved with agent runs (A), and every A compared with the mean of the baselines
# either side of it. Figures are ratios against baselines of the same session: single runs on a
# shared machine vary up to 3x.
#
#   sudo bench/overhead.sh [BUILD_DIR]        BUILD_DIR defaults to build-bench (repo-relative)
#
# It builds nothing: build first with
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release && make -C build-bench -j2 octagon \
#     wl_exec_loop wl_open_loop wl_tiny_exit wl_getppid_loop
#
# Environment:
#   REPS=7         A runs per workload (B runs: REPS+1)
#   QUICK=1        CI smoke run: 2 reps, small N, well under a minute
#   EXEC_N=2000    fork+execve+waitpid iterations per run     OPEN_N=200000  openat+close per run
#   WL_CPU=0  AGENT_CPU=1      OUT_DIR=/tmp/octagon-bench     FOREIGN_WAIT=20 (seconds, see below)
#   QUIET_WAIT=10  seconds to wait before each run for the rest of the machine to use less than
#                  BUSY_OTHER=0.15 CPUs (QUICK: 0); runs that still see more are flagged busy,
#                  and the report gives the figures over quiet reps beside those over all reps;
#   QUIET_BUDGET=60  all those waits together (QUICK: 0), which bounds the runtime
#
# Per rep: B(exec) B(open), then the agent starts (--export-stdout=false --export-filename
# OUT_DIR/events.log, so every event is encoded and written), A(exec) A(open), and it is stopped
# with SIGINT; one more B pair closes the series. During A(exec) it samples the agent's CPU
# time (utime+stime of /proc/PID/stat, and the ns-precise sum of /proc/PID/task/*/schedstat)
# against the events it processed (status events.process_exec + process_exit, via SIGUSR1), and
# before stopping it its VmRSS/VmHWM. The final status line must show kernel_lost=0 and
# user_dropped=0. A separate agent run with kernel.bpf_stats_enabled=1 (restored afterwards)
# gives each BPF program's run_time_ns/run_cnt, kept out of the A/B runs because the stats add
# about 50 ns per program run.
#
# Another agent's programs (oct_* not owned by ours, e.g. a concurrent e2e test) would make a
# baseline run not a baseline: before each B pair the script waits up to FOREIGN_WAIT seconds for
# them to go, then carries on and flags the rep.
#
# The report (markdown) goes to stdout and OUT_DIR/overhead.md; progress goes to stderr.
# Exit status: 0 clean; 1 when an agent run failed or dropped events, or most runs were busy
# (the Problems section says which); 2 on a usage error.
# Arrays read only through namerefs (col, vals) look unused to shellcheck.
# shellcheck disable=SC2034
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-${BUILD:-build-bench}}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
  REPS=${REPS:-2} EXEC_N=${EXEC_N:-300} OPEN_N=${OPEN_N:-30000} SETTLE=${SETTLE:-0.5}
  QUIET_WAIT=${QUIET_WAIT:-0} QUIET_BUDGET=${QUIET_BUDGET:-0}
else
  REPS=${REPS:-7} EXEC_N=${EXEC_N:-2000} OPEN_N=${OPEN_N:-200000} SETTLE=${SETTLE:-1}
  QUIET_WAIT=${QUIET_WAIT:-10} QUIET_BUDGET=${QUIET_BUDGET:-60}
fi
WL_CPU=${WL_CPU:-0}
AGENT_CPU=${AGENT_CPU:-1}
OUT_DIR=${OUT_DIR:-/tmp/octagon-bench}
FOREIGN_WAIT=${FOREIGN_WAIT:-20}
READY_TIMEOUT=30
WORKLOADS=(exec open)

OCTAGON=$BUILD/octagon
BENCH=$BUILD/bench
OPEN_FILE=$OUT_DIR/open-target
AGENT_ARGS=(agent --export-stdout=false --export-filename "$OUT_DIR/events.log")

log() { printf '[overhead %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 2; }

# ---- checks -------------------------------------------------------------------------------
[[ $EUID -eq 0 ]] || die "run as root (the agent loads BPF programs)"
for c in taskset jq bpftool awk sysctl; do
  command -v "$c" >/dev/null || die "$c not found"
done
for f in "$OCTAGON" "$BENCH/exec_loop" "$BENCH/open_loop" "$BENCH/tiny_exit" "$BENCH/getppid_loop"; do
  [[ -x $f ]] || die "$f missing: build octagon wl_exec_loop wl_open_loop wl_tiny_exit wl_getppid_loop in $BUILD"
done
[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "REPS must be a positive integer"
taskset -c "$WL_CPU" true 2>/dev/null || die "cannot pin to CPU $WL_CPU"
taskset -c "$AGENT_CPU" true 2>/dev/null || die "cannot pin to CPU $AGENT_CPU"
[[ $WL_CPU != "$AGENT_CPU" ]] || die "WL_CPU and AGENT_CPU must differ"
mkdir -p "$OUT_DIR"
head -c 64 /dev/urandom | base64 >"$OPEN_FILE"

# ---- agent control --------------------------------------------------------------------------
AGENT_PID=""
AGENT_RC=0
STATS_OLD=""

cleanup() {
  if [[ -n $AGENT_PID ]]; then agent_stop || true; fi
  if [[ -n $STATS_OLD ]]; then sysctl -qw kernel.bpf_stats_enabled="$STATS_OLD" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts the agent on AGENT_CPU, stderr to $1; returns once it logs "exporting events".
agent_start() {
  local err=$1 deadline=$((SECONDS + READY_TIMEOUT))
  rm -f "$OUT_DIR"/events.log*
  taskset -c "$AGENT_CPU" "$OCTAGON" "${AGENT_ARGS[@]}" >/dev/null 2>"$err" &
  AGENT_PID=$!
  until grep -q "exporting events" "$err"; do
    if ! kill -0 "$AGENT_PID" 2>/dev/null; then
      log "agent exited during start-up:"
      tail -5 "$err" >&2
      wait "$AGENT_PID" || true
      AGENT_PID=""
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "agent not ready after ${READY_TIMEOUT}s"
      agent_stop
      return 1
    fi
    sleep 0.05
  done
}

# SIGINT, then waits (SIGKILL after 10 s); sets AGENT_RC.
agent_stop() {
  [[ -n $AGENT_PID ]] || return 0
  kill -INT "$AGENT_PID" 2>/dev/null || true
  local i
  for ((i = 0; i < 200; i++)); do
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$AGENT_PID" 2>/dev/null; then
    log "agent did not stop within 10 s of SIGINT: SIGKILL"
    kill -KILL "$AGENT_PID" 2>/dev/null || true
  fi
  AGENT_RC=0
  wait "$AGENT_PID" || AGENT_RC=$?
  AGENT_PID=""
}

# Asks for a status report (SIGUSR1) and prints it: the newest '{"status"' line of $1.
agent_status() {
  local err=$1 before i line
  before=$(grep -c '^{"status"' "$err" || true)
  kill -USR1 "$AGENT_PID" 2>/dev/null || { echo '{}'; return 0; }
  for ((i = 0; i < 300; i++)); do
    if (($(grep -c '^{"status"' "$err" || true) > before)); then
      line=$(grep '^{"status"' "$err" | tail -1)
      if jq -e . >/dev/null 2>&1 <<<"$line"; then
        printf '%s\n' "$line"
        return 0
      fi
    fi
    sleep 0.01
  done
  log "no status line within 3 s of SIGUSR1"
  echo '{}'
}

final_status() { grep '^{"status"' "$1" | tail -1 || echo '{}'; }

# status JSON on stdin -> process_exec + process_exit
events_of() { jq -r '(.status.events.process_exec // 0) + (.status.events.process_exit // 0)'; }

# ns on CPU of all the agent's threads (schedstat: ns precision).
agent_cpu_ns() {
  { cat /proc/"$AGENT_PID"/task/*/schedstat 2>/dev/null || true; } |
    awk '{s += $1} END {printf "%.0f\n", s}'
}
# utime+stime of /proc/PID/stat, in clock ticks (all threads).
agent_ticks() {
  { sed 's/.*) //' /proc/"$AGENT_PID"/stat 2>/dev/null || true; } | awk '{t = $12 + $13} END {print t + 0}'
}
status_kb() { awk -v f="$1:" '$1 == f {print $2}' /proc/"$AGENT_PID"/status 2>/dev/null || true; }

# IDs of the BPF programs our agent holds (from its fds), one per line.
agent_prog_ids() {
  { grep -h '^prog_id:' /proc/"$AGENT_PID"/fdinfo/* 2>/dev/null || true; } | awk '{print $2}' | sort -u
}
# IDs of oct_* programs loaded by anyone but us ($1: our IDs, space-separated).
foreign_progs() {
  local ours=" ${1:-} "
  bpftool prog show -j 2>/dev/null |
    jq -r '.[] | select(.name != null and (.name | startswith("oct_"))) | .id' |
    while read -r id; do [[ $ours == *" $id "* ]] || echo "$id"; done
}

# ---- workloads ------------------------------------------------------------------------------
HZ=$(getconf CLK_TCK)
# Busy jiffies of all CPUs (user nice system irq softirq steal), from /proc/stat.
busy_jiffies() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# Runs workload $1 once, pinned, and sets
#   RUN_NS     its ns/op
#   RUN_SHARE  its cpu_share (CPU time it got / wall time; ~1 when nothing preempted it)
#   RUN_OTHER  CPU time of everything else on the machine during the run (our agent
#              excluded), in CPUs: ~0 on a quiet machine. Host-level contention (the other vCPU
#              busy, steal) slows the workload without preempting it, so this is the better
#              noise flag of the two.
# A run counts as busy when RUN_OTHER > BUSY_OTHER or RUN_SHARE < 0.9.
BUSY_OTHER=${BUSY_OTHER:-0.15}
# Before each run: waits (up to QUIET_WAIT s, in 0.5 s samples) until the rest of the machine uses
# less than BUSY_OTHER CPUs, so that runs avoid other people's compile bursts when they can.
# All waits together stop after QUIET_BUDGET s, which bounds the total runtime on a busy machine.
QUIET_WAITED=0 QUIET_GAVE_UP=0 QUIET_SPENT=0
wait_quiet() {
  local budget=$((QUIET_BUDGET - QUIET_SPENT)) start=$SECONDS j0 j1 a0=0 a1=0 waited=0
  ((budget < QUIET_WAIT)) || budget=$QUIET_WAIT
  ((budget > 0)) || return 0
  local deadline=$((SECONDS + budget))
  while :; do
    j0=$(busy_jiffies)
    if [[ -n $AGENT_PID ]]; then a0=$(agent_cpu_ns); fi
    sleep 0.5
    j1=$(busy_jiffies)
    if [[ -n $AGENT_PID ]]; then a1=$(agent_cpu_ns); fi
    if awk -v j="$((j1 - j0))" -v hz="$HZ" -v a="$((a1 - a0))" -v lim="$BUSY_OTHER" \
      'BEGIN {exit !((j * 1e9 / hz - a) / 0.5e9 <= lim)}'; then
      break
    fi
    if ((SECONDS >= deadline)); then
      QUIET_GAVE_UP=$((QUIET_GAVE_UP + 1))
      log "machine still busy after $((SECONDS - start))s: running anyway"
      break
    fi
    waited=1
  done
  QUIET_WAITED=$((QUIET_WAITED + waited))
  QUIET_SPENT=$((QUIET_SPENT + SECONDS - start))
}

run_workload() {
  local out j0 j1 t0 t1 a0=0 a1=0
  wait_quiet
  j0=$(busy_jiffies)
  if [[ -n $AGENT_PID ]]; then a0=$(agent_cpu_ns); fi
  t0=$(date +%s%N)
  case $1 in
    exec) out=$(taskset -c "$WL_CPU" "$BENCH/exec_loop" "$EXEC_N" "$BENCH/tiny_exit") ;;
    open) out=$(taskset -c "$WL_CPU" "$BENCH/open_loop" "$OPEN_N" "$OPEN_FILE") ;;
    getppid) out=$(taskset -c "$WL_CPU" "$BENCH/getppid_loop" 300000) ;;
  esac || die "workload $1 failed"
  t1=$(date +%s%N)
  j1=$(busy_jiffies)
  if [[ -n $AGENT_PID ]]; then a1=$(agent_cpu_ns); fi
  read -r RUN_NS _ RUN_SHARE _ <<<"$out"
  RUN_OTHER=$(awk -v j="$((j1 - j0))" -v hz="$HZ" -v w="$((t1 - t0))" -v s="$RUN_SHARE" \
    -v a="$((a1 - a0))" 'BEGIN {o = (j * 1e9 / hz - s * w - a) / w; printf "%.2f", o < 0 ? 0 : o}')
}
is_busy() {  # is_busy SHARE OTHER
  awk -v s="$1" -v o="$2" -v lim="$BUSY_OTHER" 'BEGIN {exit !(o > lim || s < 0.9)}'
}

# ---- statistics -----------------------------------------------------------------------------
# Numbers on stdin -> "median min max" (empty input -> "nan nan nan").
stats() {
  sort -g | awk '{a[NR] = $1} END {
    if (NR == 0) { print "nan nan nan"; exit }
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    print m, a[1], a[NR] }'
}
fmt() { awk -v x="$2" "BEGIN { if (x == \"nan\") print \"n/a\"; else printf \"$1\", x }"; }

# ---- main loop ------------------------------------------------------------------------------
declare -A B A            # B[w,i] i=0..REPS, A[w,i] i=0..REPS-1: ns/op
declare -A BO AO BBUSY ABUSY  # other load (CPUs) and busy flag (1/0) of each run
declare -a CPU_NS TICKS EVENTS WALL_NS IDLE_PCT RSS HWM KLOST UDROP CACHE_SIZE CACHE_MEM NOTES
ISSUES=()
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$SECONDS

wait_no_foreign() {  # $1: label for the log
  local f deadline=$((SECONDS + FOREIGN_WAIT))
  f=$(foreign_progs "" | xargs)
  while [[ -n $f ]] && ((SECONDS < deadline)); do
    log "another agent's oct_* programs are loaded ($f): waiting before $1"
    sleep 2
    f=$(foreign_progs "" | xargs)
  done
  echo "$f"
}

baseline_pair() {  # $1: index
  local w f
  f=$(wait_no_foreign "baseline $1")
  [[ -z $f ]] || NOTES[$1]+="foreign oct_* progs during B$1 ($f); "
  for w in "${WORKLOADS[@]}"; do
    run_workload "$w"
    B[$w,$1]=$RUN_NS BO[$w,$1]=$RUN_OTHER BBUSY[$w,$1]=0
    if is_busy "$RUN_SHARE" "$RUN_OTHER"; then BBUSY[$w,$1]=1; fi
    log "B$1 $w: $RUN_NS ns/op, cpu_share $RUN_SHARE, other load $RUN_OTHER CPUs"
  done
}

run_workload getppid
CALIBRATION=$RUN_NS
log "build $BUILD, reps $REPS, exec N $EXEC_N, open N $OPEN_N, workload CPU $WL_CPU, agent CPU $AGENT_CPU"
for ((r = 0; r < REPS; r++)); do
  NOTES[r]=${NOTES[$r]:-}
  baseline_pair "$r"

  err=$OUT_DIR/agent-$r.err
  if ! agent_start "$err"; then
    ISSUES+=("rep $r: the agent did not start (see $err)")
    NOTES[r]+="agent failed to start; "
    continue
  fi
  ours=$(agent_prog_ids | xargs)
  c0=$(agent_cpu_ns)
  sleep "$SETTLE"
  c1=$(agent_cpu_ns)
  IDLE_PCT[r]=$(awk -v c="$((c1 - c0))" -v s="$SETTLE" 'BEGIN {printf "%.3f", c / (s * 1e9) * 100}')
  f=$(foreign_progs "$ours" | xargs)
  [[ -z $f ]] || NOTES[r]+="foreign oct_* progs during A$r ($f); "

  e0=$(agent_status "$err" | events_of)
  t0=$(agent_ticks) c0=$(agent_cpu_ns)
  run_workload exec
  A[exec,$r]=$RUN_NS AO[exec,$r]=$RUN_OTHER ABUSY[exec,$r]=0
  if is_busy "$RUN_SHARE" "$RUN_OTHER"; then ABUSY[exec,$r]=1; fi
  sleep 0.3  # let the agent drain the ring buffer (it polls every few ms)
  e1=$(agent_status "$err" | events_of)
  t1=$(agent_ticks) c1=$(agent_cpu_ns)
  CPU_NS[r]=$((c1 - c0)) TICKS[r]=$((t1 - t0)) EVENTS[r]=$((e1 - e0))
  # exec_loop also runs N/20+1 warm-up iterations inside the sampled window.
  WALL_NS[r]=$(awk -v x="${A[exec,$r]}" -v n="$EXEC_N" 'BEGIN {printf "%.0f", x * (n + int(n / 20) + 1)}')
  log "A$r exec: ${A[exec,$r]} ns/op, cpu_share $RUN_SHARE, other load ${AO[exec,$r]} CPUs;" \
    "agent ${CPU_NS[$r]} ns CPU for ${EVENTS[$r]} events"

  run_workload open
  A[open,$r]=$RUN_NS AO[open,$r]=$RUN_OTHER ABUSY[open,$r]=0
  if is_busy "$RUN_SHARE" "$RUN_OTHER"; then ABUSY[open,$r]=1; fi
  log "A$r open: $RUN_NS ns/op, cpu_share $RUN_SHARE, other load $RUN_OTHER CPUs"

  RSS[r]=$(status_kb VmRSS) HWM[r]=$(status_kb VmHWM)
  agent_stop
  st=$(final_status "$err")
  KLOST[r]=$(jq -r '.status.totals.kernel_lost // "missing"' <<<"$st")
  UDROP[r]=$(jq -r '.status.totals.user_dropped // "missing"' <<<"$st")
  CACHE_SIZE[r]=$(jq -r '.status.process_cache.size // "n/a"' <<<"$st")
  CACHE_MEM[r]=$(jq -r '.status.process_cache.memory_bytes // "n/a"' <<<"$st")
  if [[ ${KLOST[$r]} != 0 || ${UDROP[$r]} != 0 ]]; then
    ISSUES+=("rep $r: kernel_lost=${KLOST[$r]} user_dropped=${UDROP[$r]}")
  fi
  if ((AGENT_RC != 0)); then
    ISSUES+=("rep $r: agent exited with status $AGENT_RC")
    NOTES[r]+="agent exit status $AGENT_RC; "
  fi
done
NOTES[REPS]=${NOTES[$REPS]:-}
baseline_pair "$REPS"

# ---- in-BPF time (separate run, bpf_stats on) ----------------------------------------------
declare -A PROG_NS PROG_CNT
STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
STATS_EXEC=nan
err=$OUT_DIR/agent-bpfstats.err
if agent_start "$err"; then
  ours=$(agent_prog_ids | xargs)
  run_workload exec
  STATS_EXEC=$RUN_NS
  sleep 0.3
  progs=$(bpftool prog show -j)
  agent_stop
  for id in $ours; do
    read -r name ns cnt < <(jq -r --argjson id "$id" \
      '.[] | select(.id == $id) | "\(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"' <<<"$progs")
    [[ -n ${name:-} ]] || continue
    PROG_NS[$name]=$ns PROG_CNT[$name]=$cnt
  done
  st=$(final_status "$err")
  sk=$(jq -r '.status.totals.kernel_lost // "missing"' <<<"$st")
  su=$(jq -r '.status.totals.user_dropped // "missing"' <<<"$st")
  [[ $sk == 0 && $su == 0 ]] || ISSUES+=("bpf_stats run: kernel_lost=$sk user_dropped=$su")
else
  ISSUES+=("bpf_stats run: the agent did not start (see $err)")
fi
sysctl -qw kernel.bpf_stats_enabled="$STATS_OLD"
STATS_OLD=""

# ---- report ---------------------------------------------------------------------------------
BUSY_RUNS=0 ALL_RUNS=0
for k in "${!BBUSY[@]}"; do ALL_RUNS=$((ALL_RUNS + 1)) BUSY_RUNS=$((BUSY_RUNS + BBUSY[$k])); done
for k in "${!ABUSY[@]}"; do ALL_RUNS=$((ALL_RUNS + 1)) BUSY_RUNS=$((BUSY_RUNS + ABUSY[$k])); done
if ((BUSY_RUNS * 2 > ALL_RUNS)); then
  ISSUES+=("$BUSY_RUNS of $ALL_RUNS runs shared the machine with other work (busy): the slowdown figures are mostly noise; re-run on an idle machine")
fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$((SECONDS - T_START))
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git -C "$ROOT" status --porcelain 2>/dev/null) ]] || rev+=" (dirty tree)"

# Per-rep ratio of A to the mean of the baselines either side, and the baseline's own noise:
# |B(i+1) / B(i) - 1| in %, what a run-to-run change looks like with no agent at all.
# The Q* twins keep only quiet reps: the A run and both its baselines were not busy.
declare -A RATIO ADDED NOISE QRATIO QADDED QNOISE QB QA
declare -A NQUIET
for w in "${WORKLOADS[@]}"; do
  NQUIET[$w]=0
  for ((r = 0; r < REPS; r++)); do
    [[ -n ${B[$w,$r]:-} && -n ${B[$w,$((r + 1))]:-} ]] || continue
    NOISE[$w,$r]=$(awk -v b0="${B[$w,$r]}" -v b1="${B[$w,$((r + 1))]}" \
      'BEGIN {d = (b1 / b0 - 1) * 100; printf "%.3f", d < 0 ? -d : d}')
    if ((BBUSY[$w,$r] == 0 && BBUSY[$w,$((r + 1))] == 0)); then QNOISE[$w,$r]=${NOISE[$w,$r]}; fi
  done
  for ((r = 0; r < REPS; r++)); do
    [[ -n ${A[$w,$r]:-} ]] || continue
    RATIO[$w,$r]=$(awk -v a="${A[$w,$r]}" -v b0="${B[$w,$r]}" -v b1="${B[$w,$((r + 1))]}" \
      'BEGIN {printf "%.5f", a / ((b0 + b1) / 2)}')
    ADDED[$w,$r]=$(awk -v a="${A[$w,$r]}" -v b0="${B[$w,$r]}" -v b1="${B[$w,$((r + 1))]}" \
      'BEGIN {printf "%.1f", a - (b0 + b1) / 2}')
    if ((ABUSY[$w,$r] == 0 && BBUSY[$w,$r] == 0 && BBUSY[$w,$((r + 1))] == 0)); then
      QRATIO[$w,$r]=${RATIO[$w,$r]} QADDED[$w,$r]=${ADDED[$w,$r]}
      QA[$w,$r]=${A[$w,$r]} QB[$w,$r]=${B[$w,$r]}
      NQUIET[$w]=$((NQUIET[$w] + 1))
    fi
  done
done
col() {  # col ARRAY_NAME KEY_PREFIX -> values of ARRAY[prefix,i] that are set, one per line
  local -n arr=$1
  local i
  for ((i = 0; i <= REPS; i++)); do [[ -z ${arr[$2,$i]:-} ]] || echo "${arr[$2,$i]}"; done
}
vals() {  # vals ARRAY_NAME -> set entries of an indexed array, one per line
  local -n arr=$1
  local v
  for v in "${arr[@]}"; do [[ -z $v ]] || echo "$v"; done
}

report() {
  echo "# Octagon agent overhead ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
  echo
  echo "- host: $(uname -r), $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); load average at start $LOAD_START, at end $LOAD_END"
  echo "- octagon $rev, build $BUILD"
  echo "- $REPS reps, B(exec) B(open) A(exec) A(open) ... B(exec) B(open); workload on CPU $WL_CPU, agent on CPU $AGENT_CPU; exec N=$EXEC_N, open N=$OPEN_N; ${ELAPSED}s in all"
  echo "- agent: \`octagon ${AGENT_ARGS[*]}\`"
  echo "- waited for a quiet machine before $QUIET_WAITED runs (${QUIET_SPENT}s in all), gave up before $QUIET_GAVE_UP (QUIET_WAIT=${QUIET_WAIT}s, QUIET_BUDGET=${QUIET_BUDGET}s, BUSY_OTHER=$BUSY_OTHER CPUs)"
  echo "- machine speed: getppid $(fmt %.0f "$CALIBRATION") ns/syscall before the runs (perf-baselines section 1: 111 ns); compare ratios, not absolute ns"
  echo
  echo "## Slowdown against the interleaved baseline"
  echo
  echo "Ratio = A / mean(B before, B after), per rep; median [min,max] over reps."
  echo
  echo "| workload | reps | baseline ns/op | agent ns/op | ratio | slowdown % | added ns/op | baseline noise % |"
  echo "|---|---|---|---|---|---|---|---|"
  local w bm am rm rmin rmax dm dmin dmax nm nmax row p label
  for row in "${WORKLOADS[@]/%/:all}" "${WORKLOADS[@]/%/:quiet}"; do
    w=${row%:*} p="" label="all $REPS"
    if [[ ${row#*:} == quiet ]]; then p=Q label="quiet ${NQUIET[$w]}"; fi
    read -r nm _ nmax < <(col "${p}NOISE" "$w" | stats)
    read -r bm _ _ < <(col "${p}B" "$w" | stats)
    read -r am _ _ < <(col "${p}A" "$w" | stats)
    read -r rm rmin rmax < <(col "${p}RATIO" "$w" | stats)
    read -r dm dmin dmax < <(col "${p}ADDED" "$w" | stats)
    printf '| %s | %s | %s | %s | %s [%s,%s] | %s [%s,%s] | %s [%s,%s] | %s [max %s] |\n' "$w" "$label" \
      "$(fmt %.0f "$bm")" "$(fmt %.0f "$am")" \
      "$(fmt %.4f "$rm")" "$(fmt %.4f "$rmin")" "$(fmt %.4f "$rmax")" \
      "$(fmt %+.2f "$(awk -v x="$rm" 'BEGIN {print (x == "nan") ? "nan" : (x - 1) * 100}')")" \
      "$(fmt %+.2f "$(awk -v x="$rmin" 'BEGIN {print (x == "nan") ? "nan" : (x - 1) * 100}')")" \
      "$(fmt %+.2f "$(awk -v x="$rmax" 'BEGIN {print (x == "nan") ? "nan" : (x - 1) * 100}')")" \
      "$(fmt %+.0f "$dm")" "$(fmt %+.0f "$dmin")" "$(fmt %+.0f "$dmax")" \
      "$(fmt %.2f "$nm")" "$(fmt %.2f "$nmax")"
  done
  echo
  echo "Baseline noise: median of |B(i+1)/B(i) - 1| between consecutive baselines [max]. A slowdown"
  echo "smaller than that cannot be told apart from zero in this run. Quiet reps: the A run and both"
  echo "baselines had cpu_share ≥ 0.9 and less than $BUSY_OTHER CPUs of other load (BUSY_OTHER)."
  read -r bm _ _ < <(col B exec | stats)
  read -r am _ _ < <(col A exec | stats)
  echo
  echo "execs/s on one CPU (fork+execve+waitpid): baseline $(fmt %.0f "$(awk -v x="$bm" 'BEGIN {print 1e9 / x}')"), with the agent $(fmt %.0f "$(awk -v x="$am" 'BEGIN {print (x == "nan") ? "nan" : 1e9 / x}')")."
  echo
  echo "Per rep (ns/op; B$REPS closes the series):"
  echo
  echo "| rep | B exec | A exec | exec ratio | B open | A open | open ratio | other load, CPUs: B/A exec, B/A open | notes |"
  echo "|---|---|---|---|---|---|---|---|---|"
  local r
  mark() { [[ ${2:-0} == 1 ]] && echo "${1}!" || echo "${1:--}"; }
  for ((r = 0; r <= REPS; r++)); do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s/%s, %s/%s | %s |\n' "$r" "${B[exec,$r]:-}" \
      "${A[exec,$r]:-}" "${RATIO[exec,$r]:-}" "${B[open,$r]:-}" "${A[open,$r]:-}" \
      "${RATIO[open,$r]:-}" "$(mark "${BO[exec,$r]:-}" "${BBUSY[exec,$r]:-}")" \
      "$(mark "${AO[exec,$r]:-}" "${ABUSY[exec,$r]:-}")" \
      "$(mark "${BO[open,$r]:-}" "${BBUSY[open,$r]:-}")" \
      "$(mark "${AO[open,$r]:-}" "${ABUSY[open,$r]:-}")" "${NOTES[$r]:-}"
  done
  echo
  echo "! marks a busy run."

  echo
  echo "## Agent CPU during the exec loop"
  echo
  local cpe=() pct=() tot_ns=0 tot_ticks=0 tot_ev=0 hz
  hz=$(getconf CLK_TCK)
  for ((r = 0; r < REPS; r++)); do
    [[ -n ${EVENTS[$r]:-} ]] || continue
    ((EVENTS[r] > 0)) && cpe+=("$(awk -v c="${CPU_NS[$r]}" -v e="${EVENTS[$r]}" 'BEGIN {print c / e}')")
    pct+=("$(awk -v c="${CPU_NS[$r]}" -v w="${WALL_NS[$r]}" 'BEGIN {print c / w * 100}')")
    tot_ns=$((tot_ns + CPU_NS[r])) tot_ticks=$((tot_ticks + TICKS[r])) tot_ev=$((tot_ev + EVENTS[r]))
  done
  local cm cmin cmax pm pmin pmax em emin emax im imin imax
  read -r cm cmin cmax < <(printf '%s\n' "${cpe[@]}" | grep . | stats)
  read -r pm pmin pmax < <(printf '%s\n' "${pct[@]}" | grep . | stats)
  read -r em emin emax < <(vals EVENTS | stats)
  read -r im imin imax < <(vals IDLE_PCT | stats)
  echo "| metric | median [min,max] over reps |"
  echo "|---|---|"
  echo "| events per exec-loop run (process_exec + process_exit) | $(fmt %.0f "$em") [$(fmt %.0f "$emin"),$(fmt %.0f "$emax")] |"
  echo "| agent CPU per event, ns (schedstat, all threads) | $(fmt %.0f "$cm") [$(fmt %.0f "$cmin"),$(fmt %.0f "$cmax")] |"
  echo "| agent CPU per event, ns (utime+stime, summed over reps; ${hz} Hz ticks) | $( ((tot_ev > 0)) && awk -v t="$tot_ticks" -v h="$hz" -v e="$tot_ev" 'BEGIN {printf "%.0f (%d ticks / %d events)", t * 1e9 / h / e, t, e}' || echo n/a) |"
  echo "| agent CPU per event, ns (schedstat, summed over reps) | $( ((tot_ev > 0)) && awk -v c="$tot_ns" -v e="$tot_ev" 'BEGIN {printf "%.0f", c / e}' || echo n/a) |"
  echo "| agent CPU, % of one core during the exec loop | $(fmt %.2f "$pm") [$(fmt %.2f "$pmin"),$(fmt %.2f "$pmax")] |"
  echo "| agent CPU, % of one core while idle (${SETTLE}s after start-up) | $(fmt %.3f "$im") [$(fmt %.3f "$imin"),$(fmt %.3f "$imax")] |"
  echo
  echo "The agent's CPU runs from just before the loop to 0.3 s after it (drain), over the loop's wall time;"
  echo "the event count includes any other process on the machine that exec'd or exited meanwhile."

  echo
  echo "## Agent memory at the end of each agent run"
  echo
  local rm_ rmn rmx hm hmn hmx
  read -r rm_ rmn rmx < <(vals RSS | stats)
  read -r hm hmn hmx < <(vals HWM | stats)
  echo "| metric | median [min,max] |"
  echo "|---|---|"
  echo "| VmRSS, MiB | $(fmt %.1f "$(awk -v x="$rm_" 'BEGIN {print (x == "nan") ? "nan" : x / 1024}')") [$(fmt %.1f "$(awk -v x="$rmn" 'BEGIN {print (x == "nan") ? "nan" : x / 1024}')"),$(fmt %.1f "$(awk -v x="$rmx" 'BEGIN {print (x == "nan") ? "nan" : x / 1024}')")] |"
  echo "| VmHWM, MiB | $(fmt %.1f "$(awk -v x="$hm" 'BEGIN {print (x == "nan") ? "nan" : x / 1024}')") [$(fmt %.1f "$(awk -v x="$hmn" 'BEGIN {print (x == "nan") ? "nan" : x / 1024}')"),$(fmt %.1f "$(awk -v x="$hmx" 'BEGIN {print (x == "nan") ? "nan" : x / 1024}')")] |"
  echo "| process_cache size / memory_bytes (last rep) | ${CACHE_SIZE[$((REPS - 1))]:-n/a} / ${CACHE_MEM[$((REPS - 1))]:-n/a} |"
  echo
  echo "The cache holds only what is running here; build/bench/cache_rss measures it at 64k entries."

  echo
  echo "## In-BPF time per program (kernel.bpf_stats_enabled=1, separate agent run)"
  echo
  echo "Exec loop in that run: $(fmt %.0f "$STATS_EXEC") ns/op (includes the stats' own ~50 ns per program run)."
  echo
  echo "| program | run_cnt | run_time_ns | ns/run |"
  echo "|---|---|---|---|"
  local name
  for name in oct_exec_btf oct_fork_btf oct_exit_btf; do
    if [[ -n ${PROG_CNT[$name]:-} ]] && ((PROG_CNT[$name] > 0)); then
      printf '| %s | %s | %s | %s |\n' "$name" "${PROG_CNT[$name]}" "${PROG_NS[$name]}" \
        "$(awk -v t="${PROG_NS[$name]}" -v c="${PROG_CNT[$name]}" 'BEGIN {printf "%.0f", t / c}')"
    else
      printf '| %s | n/a | n/a | n/a |\n' "$name"
    fi
  done
  local per_iter
  per_iter=$(for name in oct_exec_btf oct_fork_btf oct_exit_btf; do
    if [[ -n ${PROG_CNT[$name]:-} ]] && ((PROG_CNT[$name] > 0)); then
      awk -v t="${PROG_NS[$name]}" -v c="${PROG_CNT[$name]}" 'BEGIN {print t / c}'
    fi
  done | awk '{s += $1; n++} END {print n == 3 ? s : "nan"}')
  echo
  echo "Each exec-loop iteration runs each program once: $(fmt %.0f "$per_iter") ns in BPF per iteration, $(fmt %.2f "$(awk -v b="$per_iter" -v x="$STATS_EXEC" 'BEGIN {print (b == "nan" || x == "nan") ? "nan" : b / x * 100}')") % of its ns/op. That is the part of the slowdown that needs no measurement against a baseline (its floor); ring-buffer wake-ups and cache effects come on top."

  echo
  echo "## Drops (final status line of each agent run)"
  echo
  echo "| rep | kernel_lost | user_dropped |"
  echo "|---|---|---|"
  for ((r = 0; r < REPS; r++)); do
    printf '| %s | %s | %s |\n' "$r" "${KLOST[$r]:-n/a}" "${UDROP[$r]:-n/a}"
  done

  echo
  echo "## Against the targets"
  echo
  local exec_ratio exec_ns src="all $REPS reps" p=""
  if ((NQUIET[exec] >= 3)); then
    p=Q src="${NQUIET[exec]} quiet reps"
  elif ((NQUIET[exec] < REPS)); then
    src="all $REPS reps: only ${NQUIET[exec]} quiet"
  fi
  read -r exec_ratio _ _ < <(col "${p}RATIO" exec | stats)
  exec_ns=nan
  if [[ -n ${PROG_CNT[oct_exec_btf]:-} ]] && ((PROG_CNT[oct_exec_btf] > 0)); then
    exec_ns=$(awk -v t="${PROG_NS[oct_exec_btf]}" -v c="${PROG_CNT[oct_exec_btf]}" 'BEGIN {print t / c}')
  fi
  verdict() { awk -v x="$1" -v lim="$2" 'BEGIN {print (x == "nan") ? "n/a" : (x <= lim ? "met" : "NOT met")}'; }
  local slow
  slow=$(awk -v x="$exec_ratio" 'BEGIN {print (x == "nan") ? "nan" : (x - 1) * 100}')
  echo "| target | measured | |"
  echo "|---|---|---|"
  local noise sv
  read -r noise _ _ < <(col "${p}NOISE" exec | stats)
  sv=$(verdict "$slow" 3)
  if [[ $noise != nan ]] && awk -v n="$noise" 'BEGIN {exit !(n > 3)}'; then
    sv="inconclusive: baseline noise $(fmt %.1f "$noise") % exceeds the 3 % margin"
  fi
  echo "| exec-loop slowdown ≤ 3 % | $(fmt %+.2f "$slow") % (median, $src) | $sv |"
  echo "| BPF exec handler < 3 µs | $(fmt %.0f "$exec_ns") ns/run | $(verdict "$exec_ns" 3000) |"
  local checked=0 dropped=0
  for ((r = 0; r < REPS; r++)); do
    [[ ${KLOST[$r]:-} =~ ^[0-9]+$ && ${UDROP[$r]:-} =~ ^[0-9]+$ ]] || continue
    checked=$((checked + 1))
    ((KLOST[r] + UDROP[r] == 0)) || dropped=$((dropped + 1))
  done
  local dv="NOT met"
  if ((checked == 0)); then dv=n/a; elif ((dropped == 0)); then dv=met; fi
  echo "| no kernel or user drops | $dropped of $checked agent runs dropped | $dv |"
  echo
  if ((${#ISSUES[@]})); then
    echo "## Problems"
    echo
    printf -- '- %s\n' "${ISSUES[@]}"
  fi
}

report | tee "$OUT_DIR/overhead.md"
log "report written to $OUT_DIR/overhead.md"
((${#ISSUES[@]} == 0)) || exit 1
