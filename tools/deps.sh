#!/usr/bin/env bash
# Installs the Debian packages vmras needs to build and test, only when missing.
# Usage: tools/deps.sh [build|lab|lab-arm64|all]   (default: all)
#   lab        the x86 lab (lab/run)
#   lab-arm64  the arm64 lab (lab/run --arch arm64) and the aarch64 cross build:
#              adds the arm64 dpkg architecture for the :arm64 libraries
set -euo pipefail
# libfdt-dev is not multi-arch: one architecture's copy at a time, so the
# native one is named with its architecture (an arm64 copy would not do) and
# the aarch64 cross build takes the arm64 library from its unpacked package
# (tools/cross-sysroot.sh), never installed.
build_pkgs=(gcc meson ninja-build pkg-config libjson-c-dev libcmocka-dev clang libclang-rt-dev
  "libfdt-dev:$(dpkg --print-architecture)")
lab_pkgs=(qemu-system-x86 busybox-static cpio acpica-tools device-tree-compiler xz-utils zstd)
# gcc-aarch64-linux-gnu only recommends its C library: named here, as recommends
# are not installed. busybox-static: its applet list (the arm64 one is downloaded,
# not installed). libjson-c-dev for arm64: the static cross build. qemu-user,
# libcmocka-dev and libc6 for arm64: the cross-built unit tests (make unit-arm64).
lab_arm64_pkgs=(qemu-system-arm qemu-efi-aarch64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross cpio busybox-static
  libjson-c-dev:arm64 libcmocka-dev:arm64 libc6:arm64 qemu-user)
arm64=0
case "${1:-all}" in
  build) want=("${build_pkgs[@]}") ;;
  lab) want=("${lab_pkgs[@]}") ;;
  lab-arm64) want=("${lab_arm64_pkgs[@]}"); arm64=1 ;;
  all) want=("${build_pkgs[@]}" "${lab_pkgs[@]}" "${lab_arm64_pkgs[@]}"); arm64=1 ;;
  *) echo "usage: $0 [build|lab|lab-arm64|all]" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "vmras: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
  exit 1
fi
echo "vmras: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [ $arm64 = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "vmras: adding the arm64 architecture to dpkg (for the :arm64 packages)" >&2
  dpkg --add-architecture arm64
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
