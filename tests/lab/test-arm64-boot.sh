#!/usr/bin/env bash
# The Debian arm64 guest boots under the aarch64 vmras in the arm64 lab: 1 and
# 2 vCPUs see all their CPUs and memory, power-off ends vmras with 0, and a
# reboot resets the VM, which boots again. The checks are in
# inside/arm64-boot.sh, run in one arm64 test-host boot. (No panic test: Debian's
# arm64 kernel has no pvpanic driver, CONFIG_PVPANIC is not set.)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
VMRAS_LAB_BUILD_DIR=$repo/build-static-arm64 need_static vmras
exec "$repo/lab/run" --arch arm64 --timeout 900 --share "$here/inside" -- sh "$here/inside/arm64-boot.sh"
