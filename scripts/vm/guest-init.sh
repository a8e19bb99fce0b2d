#!/bin/busybox sh
# shellcheck shell=dash
# /init of the test VM's initramfs. Mounts the host's root read-only over 9p at /host, the
# kernel file systems BPF tests need inside it, the work directory read-write at its own path
# and the run's control directory at /run/octagon-vm, then runs the control directory's `cmd`
# (bash, chrooted into /host) and prints VMTEST_RC=<exit code> for run.sh before powering off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
echo "VMTEST init: kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime)s"

finish() {
  echo "VMTEST_RC=$1"
  sync
  poweroff -f
}

while read -r m; do insmod "/modules/$m" || echo "VMTEST init: insmod $m failed"; done </modules.list
work=$(sed -n 's/.*octagon_vm\.work=\([^ ]*\).*/\1/p' /proc/cmdline)
src=$(sed -n 's/.*octagon_vm\.src=\([^ ]*\).*/\1/p' /proc/cmdline)
opts=trans=virtio,version=9p2000.L,msize=524288
H=/host
mkdir -p $H
mount -t 9p -o $opts,ro,cache=loose hostroot $H || { echo "VMTEST init: cannot mount the host root"; finish 126; }
mount -t proc proc $H/proc
mount -t sysfs sys $H/sys
mount -t devtmpfs dev $H/dev
mkdir -p $H/dev/pts $H/dev/shm
mount -t devpts devpts $H/dev/pts
mount -t tmpfs shm $H/dev/shm
mount -t tmpfs tmp $H/tmp
mount -t tmpfs run $H/run
mount -t tmpfs root $H/root
mount -t bpf bpf $H/sys/fs/bpf
mount -t debugfs debugfs $H/sys/kernel/debug
mount -t tracefs tracefs $H/sys/kernel/tracing
mount -t securityfs securityfs $H/sys/kernel/security
mount -t cgroup2 cgroup2 $H/sys/fs/cgroup
mkdir -p $H/run/octagon-vm
mount -t 9p -o $opts ctl $H/run/octagon-vm || { echo "VMTEST init: cannot mount ctl"; finish 126; }
# The source tree first (read-only): the work directory may be inside it.
if [ -n "$src" ]; then
  mkdir -p "$H$src" 2>/dev/null
  mount -t 9p -o $opts,ro src "$H$src" || { echo "VMTEST init: cannot mount $src"; finish 126; }
fi
if [ -n "$work" ]; then
  mkdir -p "$H$work" 2>/dev/null  # under /tmp, /run or /root: on the guest's tmpfs
  mount -t 9p -o $opts work "$H$work" || { echo "VMTEST init: cannot mount $work"; finish 126; }
fi
# Loopback up: network tests connect over 127.0.0.1.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up || echo "VMTEST init: cannot bring up lo"
ulimit -l unlimited
echo "VMTEST init: running the command, uptime $(cut -d' ' -f1 /proc/uptime)s"
chroot $H /bin/bash /run/octagon-vm/cmd
rc=$?
echo "VMTEST init: command done, uptime $(cut -d' ' -f1 /proc/uptime)s"
finish $rc
