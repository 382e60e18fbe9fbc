#!/usr/bin/env bash
# Issue 13 in the arm64 lab: x86's scenario (inside/linux-net.sh) on the
# Debian arm64 guest, booted through UEFI, the device found through the DSDT.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
arm64_linux_test net 600
