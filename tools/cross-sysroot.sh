#!/usr/bin/env bash
# Unpacks the arm64 libfdt for the aarch64 cross build into a cache folder and
# prints that folder. libfdt-dev is not multi-arch: installing libfdt-dev:arm64
# would remove the native copy the host build and the unit tests need, so the
# cross build reads the arm64 package's files from here instead.
# Usage: tools/cross-sysroot.sh [DIR]   (default: lab/cache/sysroot-arm64)
set -euo pipefail
dir=${1:-$(dirname "$0")/../lab/cache/sysroot-arm64}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ ! -f "$dir/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
  debs="$dir/debs"
  mkdir -p "$debs"
  # apt-get download needs the arm64 package lists, which deps.sh's lab-arm64
  # group set up (dpkg --add-architecture arm64; apt-get update).
  (cd "$debs" && apt-get download -qq libfdt-dev:arm64 libfdt1:arm64 2>&1 >/dev/null | grep -v unsandboxed >&2 || true)
  for d in "$debs"/*.deb; do
    dpkg-deb -x "$d" "$dir"
  done
  [ -f "$dir/usr/lib/aarch64-linux-gnu/libfdt.a" ] || {
    echo "vmras: no libfdt.a in the arm64 libfdt-dev package ($debs)" >&2
    exit 1
  }
fi
echo "$dir"
