#!/usr/bin/env bash
# The VM test tier: boots the current Debian 6.1 and 6.12 kernels under QEMU (scripts/vm/run.sh)
# and runs the already-built tests inside each, once per kernel:
#   kfunc   every test labelled `kfunc` (kprobes, fentry/fexit, BPF-LSM, fmod_ret; this machine's
#           kernel may lack them, the Debian kernels have them)
#   smoke   process exec/exit and a few generic hook sensor tests (tracepoint, raw tracepoint,
#           uprobe, argument types): the real agent code on these kernels
# Inside the guest OCTAGON_EXPECT_FEATURES / OCTAGON_EXPECT_MISSING say what the kernel has
# (tests/common/kernel_expect.h), so a test needing a promised mechanism fails instead of
# skipping. Usage: scripts/vm-tests.sh [BUILD_DIR]  (default: $BUILD_DIR or build; build first
# with scripts/test.sh or scripts/build.sh). OCTAGON_VM_KERNELS picks kernels (default
# "6.1 6.12"); scripts/vm/run.sh lists the other settings. Exits non-zero if any kernel failed,
# after running all of them; each guest console is printed (see below).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=$(cd "${1:-${BUILD_DIR:-build}}" && pwd)
[ -f "$build/CTestTestfile.cmake" ] || { echo "vm-tests: $build is not a build directory" >&2; exit 1; }
scripts/install-deps.sh --vm

process_smoke='ProcessExec\.BinaryArgsAndCwd|ProcessExit\.(StatusCode|KilledBySignal)'
# A test or two per generic hook family that the kfunc part does not load: each load of a
# family's object has that kernel's verifier check all of it, every shared function included.
# Each load costs ~10 s under emulation: keep this list short.
generic_smoke='GenericTracepoint\.(CapturesArgsAndFiltersInKernel|SigkillStopsTheProcess)'
generic_smoke+='|GenericRawTracepoint\.ExecArgumentsFromBtfAndResolvePaths'
generic_smoke+='|GenericUprobe\.FunctionArgumentsAndReturnValue'
# The loader sensor (perf mmap2 records with build ids, no BPF): the same on every kernel >= 5.12.
generic_smoke+='|LoaderSensor\.ChildMappingsCarryPathAndElfBuildId'
smoke="^($process_smoke|$generic_smoke)\$"
# Measured on the Debian kernels (shared/reference/vm-tier.md): no Debian kernel enables
# CONFIG_FUNCTION_ERROR_INJECTION (so no bpf_override_return, and no fmod_ret on syscall
# functions: fmod_ret_syscall), and 6.1 has no CONFIG_FPROBE.
base=btf,ringbuf,bpf_loop,tp_btf,raw_tp,kprobe,kretprobe,fentry,fexit,lsm,fmod_ret,send_signal
expect() {
  case "$1" in
    6.1) echo "OCTAGON_EXPECT_FEATURES=$base" "OCTAGON_EXPECT_MISSING=kprobe_multi,override_return,fmod_ret_syscall" ;;
    6.12) echo "OCTAGON_EXPECT_FEATURES=$base,kprobe_multi" "OCTAGON_EXPECT_MISSING=override_return,fmod_ret_syscall" ;;
    *) echo "vm-tests: no expectations recorded for kernel series $1" >&2; exit 1 ;;
  esac
}

# The guest sees the build (read-write) and this checkout (read-only, for the tests' fixture
# files and the part runner) at their own paths, even under /tmp, where it mounts a tmpfs.
# The kernels run side by side (each guest keeps about one host CPU busy under TCG), each
# console going to a log that is printed when its VM is done; OCTAGON_VM_SERIAL=1 runs them one
# after the other with the console live. Kernels are fetched first, one at a time.
kernels=${OCTAGON_VM_KERNELS:-6.1 6.12}
for series in $kernels; do expect "$series" >/dev/null; scripts/vm/fetch-kernel.sh "$series" >/dev/null; done
logs=$(mktemp -d /tmp/octagon-vm-tier.XXXXXX)
trap 'rm -rf "$logs"' EXIT
run_one() {  # run_one SERIES: the tier's parts in that kernel's VM; writes $logs/SERIES.{rc,secs}
  local series=$1 features missing t0 rc=0
  read -r features missing <<<"$(expect "$series")"
  t0=$EPOCHREALTIME
  scripts/vm/run.sh -k "$series" -w "$build" -s "$src" -e "$features" -e "$missing" -- \
    "$src/scripts/vm/ctest-parts.sh" kfunc "-L kfunc" smoke "-R $smoke" || rc=$?
  echo "$rc" >"$logs/$series.rc"
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }' >"$logs/$series.secs"
}
t_all=$EPOCHREALTIME
if [ "${OCTAGON_VM_SERIAL:-0}" = 1 ]; then
  for series in $kernels; do echo "== VM tier: Debian $series"; run_one "$series"; done
else
  pids=()
  for series in $kernels; do
    echo "== VM tier: Debian $series started, console in $logs/$series.log"
    run_one "$series" >"$logs/$series.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  for series in $kernels; do
    echo "== VM tier: Debian $series console"
    cat "$logs/$series.log"
  done
fi
results=() failed=0
for series in $kernels; do
  rc=$(cat "$logs/$series.rc" 2>/dev/null || echo none)
  results+=("Debian $series: $([ "$rc" = 0 ] && echo passed || echo "FAILED (rc $rc)") in $(cat "$logs/$series.secs" 2>/dev/null || echo ?)s")
  [ "$rc" = 0 ] || failed=1
done
echo "== VM tier summary (wall clock $(awk -v a="$t_all" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')s):"
printf '  %s\n' "${results[@]}"
exit $failed
