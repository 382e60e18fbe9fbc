#!/usr/bin/env bash
# Issue 3, scenario 4: exact machine-check registers, OVER, recursion and
# CR4.MCE resets, reporting disabled, broadcast, synthetic reports, with the
# mcetest guest and real poison, for an AMD guest (test-mce-registers-intel.sh:
# the same for an Intel one; one lab run each, so that a retry after a test-host
# hiccup costs half). The checks are in inside/mce-registers.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
mce_registers amd
