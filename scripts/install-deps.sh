#!/usr/bin/env bash
# Installs what building and testing Octagon needs, from Debian 12's repositories only.
# Idempotent: packages already present are skipped quickly. Usage: install-deps.sh [--vm]
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config clang llvm
  libbpf-dev bpftool libelf-dev zlib1g-dev
  libyaml-cpp-dev nlohmann-json3-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  systemtap-sdt-dev
  protobuf-compiler libprotobuf-dev libgrpc++-dev protobuf-compiler-grpc libre2-dev
  libssl-dev openssl  # TLS checks in src/api; the e2e TLS tests make certificates with openssl
  prometheus  # promtool and a real server for the metrics tests
)
# --vm: also what the VM test tier needs (scripts/vm-tests.sh): QEMU, a static busybox for the
# guest's initramfs, cpio to pack it, kmod to order the guest's modules.
if [ "${1:-}" = --vm ]; then
  PKGS+=(qemu-system-x86 busybox-static cpio kmod xz-utils zstd file)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
fi
