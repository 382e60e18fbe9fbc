#!/usr/bin/env bash
# Issue 3, scenario 4, for an Intel guest (--cpu-vendor intel): see
# test-mce-registers-amd.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
mce_registers intel
