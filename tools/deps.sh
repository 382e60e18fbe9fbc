#!/usr/bin/env bash
# Installs the Debian packages vmras needs to build and test, only when missing.
# Usage: tools/deps.sh [build|lab|all]   (default: all)
set -euo pipefail
build_pkgs=(gcc meson ninja-build pkg-config libjson-c-dev libcmocka-dev clang libclang-rt-dev libfdt-dev)
lab_pkgs=(qemu-system-x86 busybox-static cpio acpica-tools device-tree-compiler xz-utils zstd)
case "${1:-all}" in
  build) want=("${build_pkgs[@]}") ;;
  lab) want=("${lab_pkgs[@]}") ;;
  all) want=("${build_pkgs[@]}" "${lab_pkgs[@]}") ;;
  *) echo "usage: $0 [build|lab|all]" >&2; exit 2 ;;
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
