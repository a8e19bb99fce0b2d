#!/usr/bin/env bash
# extract-vmlinux.sh VMLINUZ OUT: writes the ELF kernel inside a bzImage (xz or zstd payload) to
# OUT. QEMU boots the ELF directly through PVH, which skips the slow decompression under TCG.
set -euo pipefail
in=$1 out=$2

# Tries each offset where the compressor's magic occurs until the output is an ELF file.
try_magic() {
  local magic=$1 decompress=$2 off
  while read -r off; do
    tail -c +$((off + 1)) "$in" | $decompress >"$out" 2>/dev/null || true
    if file -b "$out" | grep -q '^ELF'; then return 0; fi
  done < <(LC_ALL=C grep -obUaP "$magic" "$in" | cut -d: -f1)
  return 1
}

try_magic '\xfd7zXZ\x00' 'xz -dc --single-stream' ||
  try_magic '\x28\xb5\x2f\xfd' 'zstd -dc' || {
  rm -f "$out"
  echo "extract-vmlinux: no xz or zstd compressed ELF kernel found in $in" >&2
  exit 1
}
