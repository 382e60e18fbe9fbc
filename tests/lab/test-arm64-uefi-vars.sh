#!/usr/bin/env bash
# edk2's variable store under the aarch64 vmras (--firmware, flash bank 1)
# survives a guest reset: set from the UEFI shell, read back after the reset.
# The checks are in inside/arm64-uefi-vars.sh, run in one arm64 test-host boot.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
VMRAS_LAB_BUILD_DIR=$repo/build-static-arm64 need_static vmras
exec "$repo/lab/run" --arch arm64 --timeout 400 --share "$here/inside" -- sh "$here/inside/arm64-uefi-vars.sh"
