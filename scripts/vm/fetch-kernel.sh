#!/usr/bin/env bash
# fetch-kernel.sh SERIES: makes sure the current Debian kernel of SERIES (6.1 or 6.12) is in the
# cache and prints its directory: vmlinux (ELF, for PVH boot), config, and kroot/ with only the
# virtio and 9p modules the guest needs. The package is resolved by name at run time, downloaded
# with `apt-get download` (nothing is installed, /boot is untouched) and extracted partially.
set -euo pipefail
# shellcheck source=scripts/vm/lib.sh
. "$(dirname "$0")/lib.sh"
series=${1:?usage: fetch-kernel.sh 6.1|6.12}

pkg=$(vm_resolve_package "$series")
if [ -z "$pkg" ]; then
  vm_log "apt lists do not name the $series kernel yet; running apt-get update"
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || true
  pkg=$(vm_resolve_package "$series")
fi
if [ -z "$pkg" ]; then
  # Offline: fall back to the kernel this series used last time, if it is cached.
  last=$(cat "$VM_CACHE/$series.current" 2>/dev/null || true)
  if [ -z "$last" ] || [ ! -f "$VM_CACHE/$last/vmlinux" ]; then
    vm_die "cannot resolve the $series kernel package ($(vm_meta_package "$series")) and none is cached"
  fi
  vm_log "using the cached $series kernel $last (package name not resolvable)"
  echo "$VM_CACHE/$last"
  exit 0
fi
kver=${pkg#linux-image-}
kdir=$VM_CACHE/$kver
if [ -f "$kdir/vmlinux" ]; then
  echo "$kver" >"$VM_CACHE/$series.current"
  echo "$kdir"
  exit 0
fi

mkdir -p "$VM_CACHE"
tmp=$(mktemp -d "$VM_CACHE/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t0=$EPOCHREALTIME
if ! (cd "$tmp" && apt-get download "$pkg" >&2); then
  vm_log "download of $pkg failed; refreshing apt lists and retrying"
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  pkg=$(vm_resolve_package "$series")
  kver=${pkg#linux-image-}
  kdir=$VM_CACHE/$kver
  (cd "$tmp" && apt-get download "$pkg" >&2)
fi
deb=$(ls "$tmp"/*.deb)
t1=$EPOCHREALTIME

# Only the kernel, its config and the module chain virtio-pci -> 9pnet_virtio -> 9p.
m=./lib/modules/$kver
mkdir -p "$tmp/kroot"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/kroot" --wildcards \
  "./boot/vmlinuz-$kver" "./boot/config-$kver" "$m/modules.*" \
  "$m/kernel/drivers/virtio/*" "$m/kernel/net/9p/*" "$m/kernel/fs/9p/*" \
  "$m/kernel/fs/netfs/*" "$m/kernel/fs/fscache/*" 2>/dev/null || true
[ -f "$tmp/kroot/boot/vmlinuz-$kver" ] || vm_die "$deb has no boot/vmlinuz-$kver"
# 6.12 ships modules as .ko.xz, which busybox insmod cannot load: decompress them here.
find "$tmp/kroot/lib/modules" -name '*.ko.xz' -exec xz -d {} +
depmod -b "$tmp/kroot" "$kver"
"$VM_SCRIPTS/extract-vmlinux.sh" "$tmp/kroot/boot/vmlinuz-$kver" "$tmp/vmlinux"
cp "$tmp/kroot/boot/config-$kver" "$tmp/config"
rm -f "$deb" "$tmp/kroot/boot/vmlinuz-$kver"
echo "$pkg" >"$tmp/package"
t2=$EPOCHREALTIME

rm -rf "$kdir"
mv "$tmp" "$kdir"
trap - EXIT
chmod 755 "$kdir"
echo "$kver" >"$VM_CACHE/$series.current"
vm_log "fetched $pkg: download $(vm_secs "$t0" "$t1")s, extract $(vm_secs "$t1" "$t2")s"
echo "$kdir"
