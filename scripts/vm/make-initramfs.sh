#!/usr/bin/env bash
# make-initramfs.sh KDIR [OUT]: builds OUT (default KDIR/initrd.cpio.gz) for a kernel directory
# made by fetch-kernel.sh: static busybox, the virtio/9p module chain in load order, and guest-init.sh
# as /init. Everything else the guest runs comes from the host's root over 9p.
set -euo pipefail
# shellcheck source=scripts/vm/lib.sh
. "$(dirname "$0")/lib.sh"
kdir=${1:?usage: make-initramfs.sh KDIR [OUT]}
dest=${2:-$kdir/initrd.cpio.gz}
kver=$(basename "$kdir")
busybox=/bin/busybox
file -b "$busybox" 2>/dev/null | grep -q 'statically linked' ||
  vm_die "$busybox is not a static busybox (apt-get install busybox-static)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,modules}
cp "$busybox" "$tmp/bin/busybox"
cp "$VM_SCRIPTS/guest-init.sh" "$tmp/init"
chmod 755 "$tmp/init"
# Dependencies first; modules built into this kernel are reported as "builtin" and skipped.
for mod in virtio_pci 9pnet_virtio 9p; do
  modprobe -d "$kdir/kroot" -S "$kver" --show-depends "$mod" ||
    vm_die "$mod: not in $kdir/kroot"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$tmp/paths"
while read -r path; do
  name=$(basename "$path")
  cp "$path" "$tmp/modules/$name"
  echo "$name" >>"$tmp/modules.list"
done <"$tmp/paths"
[ -s "$tmp/modules.list" ] || : >"$tmp/modules.list"
rm "$tmp/paths"
out=$(mktemp "$kdir/.initrd.XXXXXX")
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
chmod 644 "$out"
mv "$out" "$dest"
