#!/usr/bin/env bash
# Issue 11 (issue 3's scenario 5 on arm64): a poisoned page of the aarch64
# vmras's own memory (not guest RAM). Action optional: {hypervisor, ignore},
# nothing reaches the UEFI guest, vmras and the guest go on; action required
# (vmras reads it): {hypervisor, fatal}, a clear message, exit status 1; and a
# guest page read by a thread that is not a vCPU: {guest, fatal}. The checks
# are in inside/arm64-own-memory.sh, run in one arm64 test-host boot.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
VMRAS_LAB_BUILD_DIR=$repo/build-static-arm64 need_static vmras vmras-poison
exec "$repo/lab/run" --arch arm64 --timeout 400 --share "$here/inside" -- sh "$here/inside/arm64-own-memory.sh"
