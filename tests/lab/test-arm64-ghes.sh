#!/usr/bin/env bash
# Issue 11 in the arm64 lab: the Debian arm64 guest, booted through UEFI with
# vmras's HEST, is told of real memory failures through its GHESv2 sources:
# action optional (record + GED interrupt; the guest isolates the page and
# signals its early-kill owner), ten pages back to back (all recovered, in
# order, none dropped), a raw record over QMP (inject-ghes-v2-error), action
# required (record + synchronous external abort: the reader gets
# BUS_MCEERR_AR, a bystander is fine), and a guest that never acknowledges.
# The scenarios are x86's (inside/linux-ghes.sh), run on the arm64 guest.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
arm64_linux_test ghes 1200
