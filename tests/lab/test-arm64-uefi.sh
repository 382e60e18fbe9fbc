#!/usr/bin/env bash
# The Debian arm64 guest boots through UEFI (Debian's edk2, QEMU_EFI.fd) with
# ACPI under the aarch64 vmras: 1 and 2 vCPUs, power-off, reset, and
# system_powerdown through the ACPI power button. The checks are in
# inside/arm64-uefi-boot.sh, run in one arm64 test-host boot.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
VMRAS_LAB_BUILD_DIR=$repo/build-static-arm64 need_static vmras vmras-ctl vmras-cper
exec "$repo/lab/run" --arch arm64 --timeout 900 --share "$here/inside" -- sh "$here/inside/arm64-uefi-boot.sh"
