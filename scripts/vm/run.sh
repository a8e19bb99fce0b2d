#!/usr/bin/env bash
# run.sh [-k SERIES] [-w WORKDIR] [-s SRCDIR] [-e NAME=VALUE]... [--] CMD [ARG]...
#
# Boots the current Debian kernel of SERIES (6.1 or 6.12; default 6.12) under QEMU and runs CMD
# inside it, as root, chrooted into the host's root file system (read-only over 9p, so the guest
# runs the host's own binaries and libraries) with WORKDIR (default: the current directory)
# mounted read-write at its own path and used as the working directory, and SRCDIR (if given)
# read-only at its own path: the guest mounts a tmpfs on /tmp, which would hide a checkout
# there from tests that read its files. The guest has bpffs,
# tracefs, debugfs, securityfs and cgroup2 mounted, and OCTAGON_VM_KERNEL set to its release.
# The guest console goes to stdout; the exit code is CMD's, or 125 when the guest never reported
# one (panic, hang, timeout).
#
# Environment: OCTAGON_VM_ACCEL  tcg (default) or kvm (real VMX/SVM hardware only)
#              OCTAGON_VM_TIMEOUT  seconds before the VM is killed (default 900)
#              OCTAGON_VM_MEM, OCTAGON_VM_SMP  guest memory and CPUs (default 2G, 2)
#              OCTAGON_VM_CACHE  kernel and initramfs cache (default /var/cache/octagon-vm)
#              OCTAGON_VM_LOG  also write the console to this file
# One VM per kernel series runs at a time per cache (a lock file serialises callers).
set -euo pipefail
# shellcheck source=scripts/vm/lib.sh
. "$(dirname "$0")/lib.sh"

series=6.12 work=$PWD src= envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    -k) series=$2; shift 2 ;;
    -w) work=$(cd "$2" && pwd); shift 2 ;;
    -s) src=$(cd "$2" && pwd); shift 2 ;;
    -e) envs+=("$2"); shift 2 ;;
    --) shift; break ;;
    -*) vm_die "unknown option $1 (usage: run.sh [-k SERIES] [-w WORKDIR] [-s SRCDIR] [-e N=V]... -- CMD...)" ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || vm_die "no command given"
accel=${OCTAGON_VM_ACCEL:-tcg}
case "$accel" in
  tcg) cpu=max ;;
  kvm) cpu=host ;;
  *) vm_die "OCTAGON_VM_ACCEL must be tcg or kvm, not '$accel'" ;;
esac
for tool in qemu-system-x86_64 modprobe cpio; do
  command -v "$tool" >/dev/null || vm_die "$tool missing (scripts/install-deps.sh --vm installs it)"
done

t0=$EPOCHREALTIME
kdir=$("$VM_SCRIPTS/fetch-kernel.sh" "$series")
kver=$(basename "$kdir")
# Named by the content of the scripts that make it: checkouts with different guest-init.sh
# versions share the cache without booting each other's.
initrd_sum=$(cat "$VM_SCRIPTS/guest-init.sh" "$VM_SCRIPTS/make-initramfs.sh" | sha256sum | cut -c1-16)
initrd=$kdir/initrd-$initrd_sum.cpio.gz
[ -f "$initrd" ] || "$VM_SCRIPTS/make-initramfs.sh" "$kdir" "$initrd"
t1=$EPOCHREALTIME

ctl=$(mktemp -d /tmp/octagon-vm.XXXXXX)
trap 'rm -rf "$ctl"' EXIT
{
  echo "export HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  echo "export OCTAGON_VM_KERNEL=$(printf %q "$kver")"
  for e in "${envs[@]}"; do echo "export $(printf %q "$e")"; done
  echo "cd $(printf %q "$work") || exit 126"
  printf 'exec'; printf ' %q' "$@"; echo
} >"$ctl/cmd"
work_dev=()
append="console=ttyS0 quiet panic=-1 octagon_vm.work="
if [ "$work" != / ]; then
  work_dev=(-virtfs "local,path=$work,mount_tag=work,security_model=none,multidevs=remap")
  append+=$work
fi
if [ -n "$src" ] && [ "$src" != / ]; then
  work_dev+=(-virtfs "local,path=$src,mount_tag=src,security_model=none,readonly=on,multidevs=remap")
  append+=" octagon_vm.src=$src"
fi

exec 9>>"$VM_CACHE/vm-$series.lock"
flock -n 9 || { vm_log "waiting for another $series VM run to finish"; flock 9; }
# boot: one QEMU run; the console goes to stdout and $ctl/console.log.
boot() {
  vm_log "booting $kver ($accel) for: $*"
  set +e
  timeout -k 10 "${OCTAGON_VM_TIMEOUT:-900}" nice -n "${OCTAGON_VM_NICE:-10}" \
    qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp "${OCTAGON_VM_SMP:-2}" \
    -m "${OCTAGON_VM_MEM:-2G}" -nographic -no-reboot -kernel "$kdir/vmlinux" -initrd "$initrd" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$ctl,mount_tag=ctl,security_model=none,multidevs=remap" \
    "${work_dev[@]}" -append "$append" </dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$ctl/console.log"
  qemu_rc=${PIPESTATUS[0]}
  set -e
}
boot "$@"
# A kernel that dies before /init ran cannot have been hurt by the command; seen once in ~20
# boots of 6.12 under TCG (a fault in an interrupt during boot). Boot once more then.
if ! grep -q '^VMTEST init:' "$ctl/console.log" && [ "$qemu_rc" != 124 ]; then
  vm_log "the kernel died before /init ran; booting once more"
  boot "$@"
fi
t2=$EPOCHREALTIME
[ -n "${OCTAGON_VM_LOG:-}" ] && cp "$ctl/console.log" "$OCTAGON_VM_LOG"

rc=$(sed -n 's/^VMTEST_RC=\([0-9]*\).*/\1/p' "$ctl/console.log" | tail -1)
vm_log "$kver: prepare $(vm_secs "$t0" "$t1")s, VM $(vm_secs "$t1" "$t2")s, guest rc ${rc:-none}"
if [ -z "$rc" ]; then
  reason="qemu exit code $qemu_rc"
  [ "$qemu_rc" = 124 ] && reason="timed out after ${OCTAGON_VM_TIMEOUT:-900}s"
  vm_log "the guest did not report an exit code ($reason); its console is above"
  exit 125
fi
exit "$rc"
