# shellcheck shell=bash disable=SC2034
# Shared by the scripts in scripts/vm/ (sourced, not run).
# OCTAGON_VM_CACHE: where kernels and initramfs images are kept (default /var/cache/octagon-vm).
VM_CACHE=${OCTAGON_VM_CACHE:-/var/cache/octagon-vm}
VM_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

vm_log() { echo "vm: $*" >&2; }
vm_die() { echo "vm: error: $*" >&2; exit 1; }

# The meta package that names the current kernel of a series; its dependency is the real,
# versioned package (linux-image-6.1.0-NN-amd64), which changes with every security update.
vm_meta_package() {
  case "$1" in
    6.1) echo linux-image-amd64 ;;
    6.12) echo linux-image-6.12-amd64 ;;
    *) vm_die "unknown kernel series '$1' (known: 6.1 6.12)" ;;
  esac
}

# Prints the versioned image package of a series, as the apt lists know it now.
vm_resolve_package() {
  apt-cache depends "$(vm_meta_package "$1")" 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# vm_secs START END: seconds between two $EPOCHREALTIME stamps, one decimal.
vm_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
