#!/usr/bin/env bash
# Issue 11 in the arm64 lab: a reset replaces poisoned pages before the
# firmware runs again in guest RAM, and the rebooted UEFI guest uses all its
# memory. The scenarios are issue 14's (inside/linux-reset-burst.sh), run on
# the Debian arm64 guest booted through edk2: pages of the ACPI tables the
# firmware writes again at every boot, poisoned without a report (2 vCPUs, the
# guest reboots); and 500 pages poisoned back to back under a process reading
# them (QMP system_reset).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
arm64_linux_test reset-burst 600
